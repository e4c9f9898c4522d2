import Foundation
import Synchronization

/// One pass over a set of shards before training: how many usable records each holds, how many
/// of each class, the class names the records carry, and every record left out (CRC failures,
/// truncation, unreadable images) with its warning. It keeps counts only, never records, so its
/// memory does not grow with the data; streaming then reads the shards again each epoch and
/// meets exactly the records counted here (`ShardRecords` decides both).
public struct ShardIndex: Sendable {
    public struct Shard: Hashable, Sendable {
        public var path: String
        /// Usable records.
        public var records: Int
    }

    public var shards: [Shard]
    /// Usable records per class index (as long as the largest class seen + 1).
    public var classCounts: [Int]
    /// Class names found in the records (the schema's `label` feature), by class index.
    public var classNames: [Int: String]
    /// Records left out, in shard then file order.
    public var skipped: [SkippedFile]

    public var total: Int { shards.reduce(0) { $0 + $1.records } }

    /// Reads every shard (in parallel, one shard per worker at a time). The first schema error,
    /// in shard order, is thrown.
    public static func build(paths: [String], schema: ExampleSchema, workers: Int,
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws(DataError) -> ShardIndex {
        struct PerShard: Sendable {
            var records = 0
            var classCounts: [Int: Int] = [:]
            var names: [Int: String] = [:]
            var skipped: [SkippedFile] = []
            var error: DataError?
        }
        let results = Mutex<[Int: PerShard]>([:])
        ParallelWork.run(count: paths.count, workers: workers, progress: progress) {
            { i in
                var r = PerShard()
                do throws(DataError) {
                    let records = try ShardRecords(path: paths[i], schema: schema)
                    while let item = try records.next() {
                        r.records += 1
                        r.classCounts[item.label, default: 0] += 1
                        if let name = item.className, r.names[item.label] == nil { r.names[item.label] = name }
                    }
                    r.skipped = records.skipped
                } catch {
                    r.error = error
                }
                results.withLock { $0[i] = r }
            }
        }
        let all = results.withLock { $0 }
        var index = ShardIndex(shards: [], classCounts: [], classNames: [:], skipped: [])
        for i in paths.indices {
            let r = all[i]!
            if let error = r.error { throw error }
            index.shards.append(Shard(path: paths[i], records: r.records))
            for (label, n) in r.classCounts {
                if label >= index.classCounts.count { index.classCounts += [Int](repeating: 0, count: label + 1 - index.classCounts.count) }
                index.classCounts[label] += n
            }
            for (label, name) in r.names where index.classNames[label] == nil { index.classNames[label] = name }
            index.skipped += r.skipped
        }
        return index
    }
}
