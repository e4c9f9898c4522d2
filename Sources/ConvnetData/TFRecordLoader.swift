import Foundation
import Synchronization

/// Loads TFRecord shards of `tf.train.Example`s the way the codelab stores the flowers
/// (references.md §2): feature `image` (bytes, a JPEG or PNG), `class` (int64 label) and,
/// optionally, `label` (bytes, the class name). A record is named `SHARD#N` (shard file name,
/// record number from 0), and the validation split hashes that name by the usual FNV-1a rule, so
/// the split is stable but differs from the image-folder split of the same photos.
public enum TFRecordLoader {
    /// Whether `path` names TFRecord data: a `.tfrec`/`.tfrecord` file, or a folder whose only
    /// visible entries of interest are such files (no class sub-folders).
    public static func isTFRecord(path: String) -> Bool {
        if isShardName(path) { return !ImageFolderListing.isDirectory(path) }
        guard ImageFolderListing.isDirectory(path) else { return false }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }
        let hasSubfolders = names.contains { ImageFolderListing.isDirectory(path + "/" + $0) }
        return !hasSubfolders && names.contains(where: isShardName)
    }

    static func isShardName(_ name: String) -> Bool {
        name.hasSuffix(".tfrec") || name.hasSuffix(".tfrecord")
    }

    struct Record {
        var name: String
        var shard: Int
        var range: Range<Int>
        var label: Int
    }

    public static func load(path: String, options: LoadOptions) throws(DataError) -> InMemoryDataset {
        try options.shape.validate()
        let split = try ValidationSplit(fraction: options.validationFraction)
        let shardPaths: [String]
        if ImageFolderListing.isDirectory(path) {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                .filter { !$0.hasPrefix(".") && isShardName($0) }.sorted()
            shardPaths = names.map { path + "/" + $0 }
        } else if FileManager.default.fileExists(atPath: path) {
            shardPaths = [path]
        } else {
            throw .folderNotFound(path: path)
        }
        guard !shardPaths.isEmpty else { throw .noImages(path: path) }

        var shards: [[UInt8]] = []
        var records: [Record] = []
        var skipped: [SkippedFile] = []
        var classNames: [Int: String] = [:]
        for (s, shardPath) in shardPaths.enumerated() {
            let shardName = (shardPath as NSString).lastPathComponent
            guard let data = FileManager.default.contents(atPath: shardPath) else {
                throw .badTFRecord(path: shardPath, reason: "cannot read the file")
            }
            let bytes = [UInt8](data)
            let found = bytes.withUnsafeBytes { TFRecordReader.records(in: $0) }
            for p in found.problems { skipped.append(SkippedFile(path: "\(shardName)#\(p.record)", reason: p.reason)) }
            for (n, range) in found.records.enumerated() {
                let name = "\(shardName)#\(n)"
                let features = bytes.withUnsafeBytes { ExampleParser.parse(UnsafeRawBufferPointer(rebasing: $0[range])) }
                guard let f = features else {
                    skipped.append(SkippedFile(path: name, reason: "not a tf.train.Example")); continue
                }
                guard case .int64s(let cls)? = f["class"], let c = cls.first, c >= 0, c < 10_000 else {
                    skipped.append(SkippedFile(path: name, reason: "no int64 'class' feature")); continue
                }
                guard case .bytes(let images)? = f["image"], images.count == 1 else {
                    skipped.append(SkippedFile(path: name, reason: "no bytes 'image' feature")); continue
                }
                if case .bytes(let labels)? = f["label"], let l = labels.first, classNames[Int(c)] == nil {
                    classNames[Int(c)] = String(decoding: l, as: UTF8.self)
                }
                records.append(Record(name: name, shard: s, range: range, label: Int(c)))
            }
            shards.append(bytes)
        }
        guard !records.isEmpty else { throw .noImages(path: path) }
        let classCount = (records.map(\.label).max() ?? 0) + 1
        guard classCount >= 2 else { throw .tooFewClasses(path: path, found: [classNames[0] ?? "class0"]) }
        let names = (0..<classCount).map { classNames[$0] ?? "class\($0)" }

        let store = try ImageStore(shape: options.shape, count: records.count)
        let failures = Mutex<[Int: String]>([:])
        let shape = options.shape
        let allRecords = records, allShards = shards
        ParallelWork.run(count: records.count, workers: options.workers, progress: options.progress) {
            let decoder = ImageDecoder(shape: shape)
            return { i in
                let r = allRecords[i]
                let outcome: Result<Void, ImageDecodeError> = allShards[r.shard].withUnsafeBytes { raw in
                    // Re-parse to reach the image bytes inside the shard without copying them out.
                    guard let f = ExampleParser.parse(UnsafeRawBufferPointer(rebasing: raw[r.range])),
                          case .bytes(let images)? = f["image"], let image = images.first else {
                        return .failure(ImageDecodeError(reason: "no bytes 'image' feature"))
                    }
                    return image.withUnsafeBytes { bytes in
                        do throws(ImageDecodeError) { try decoder.decode(bytes, into: store.slot(i)); return .success(()) }
                        catch { return .failure(error) }
                    }
                }
                if case .failure(let e) = outcome { failures.withLock { $0[i] = e.reason } }
            }
        }
        let failed = failures.withLock { $0 }
        var training: [Int] = [], validation: [Int] = []
        var perClass = [Int](repeating: 0, count: classCount)
        for (i, r) in records.enumerated() {
            if let reason = failed[i] { skipped.append(SkippedFile(path: r.name, reason: reason)); continue }
            perClass[r.label] += 1
            if split.split(ofRelativePath: r.name) == .validation { validation.append(i) } else { training.append(i) }
        }
        if let empty = perClass.firstIndex(of: 0) {
            throw .badTFRecord(path: path, reason: "class \(empty) ('\(names[empty])') has no decodable image")
        }
        if training.isEmpty { throw .emptySplit(path: path, split: .training, fraction: split.fraction) }
        if validation.isEmpty && split.threshold > 0 { throw .emptySplit(path: path, split: .validation, fraction: split.fraction) }
        return InMemoryDataset(source: path, classNames: names, seed: options.seed, skipped: skipped, store: store,
                               names: records.map(\.name), labels: records.map(\.label),
                               trainingSlots: training, validationSlots: validation)
    }
}
