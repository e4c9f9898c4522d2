#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What `--data`, `--validation-data` and `data "..."` accept for TFRecord shards: a glob
/// (`flowers/*.tfrec`), one `.tfrec`/`.tfrecord` file, or a folder holding only such files.
/// Shards are always used in sorted order (by their paths' UTF-8 bytes), so the held-out shards
/// and every epoch's order depend on the names alone, not on the file system's listing order.
public enum ShardGlob {
    /// Whether `spec` names TFRecord shards rather than a folder of class folders.
    public static func isShards(_ spec: String) -> Bool {
        if hasWildcard(spec) { return true }
        if isShardName(spec) { return !ImageFolderListing.isDirectory(spec) }
        guard ImageFolderListing.isDirectory(spec) else { return false }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: spec)) ?? []).filter { !$0.hasPrefix(".") }
        let hasSubfolders = names.contains { ImageFolderListing.isDirectory(spec + "/" + $0) }
        return !hasSubfolders && names.contains(where: isShardName)
    }

    static func hasWildcard(_ s: String) -> Bool { s.contains("*") || s.contains("?") || s.contains("[") }

    public static func isShardName(_ name: String) -> Bool {
        name.hasSuffix(".tfrec") || name.hasSuffix(".tfrecord")
    }

    /// The shard files `spec` names, sorted. Throws when it names none.
    public static func expand(_ spec: String) throws(DataError) -> [String] {
        var paths: [String]
        if hasWildcard(spec) {
            var g = glob_t()
            defer { globfree(&g) }
            let rc = glob(spec, 0, nil, &g)
            paths = []
            if rc == 0 {
                for i in 0..<Int(g.gl_pathc) {
                    if let p = g.gl_pathv[i] { paths.append(String(cString: p)) }
                }
            }
            paths = paths.filter { !ImageFolderListing.isDirectory($0) }
        } else if ImageFolderListing.isDirectory(spec) {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: spec)) ?? [])
                .filter { !$0.hasPrefix(".") && isShardName($0) }
            paths = names.map { (spec.hasSuffix("/") ? spec : spec + "/") + $0 }
        } else if FileManager.default.fileExists(atPath: spec) {
            paths = [spec]
        } else {
            throw .noShards(pattern: spec)
        }
        guard !paths.isEmpty else { throw .noShards(pattern: spec) }
        return paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The codelab's split of one list of shards: the first `round(fraction x shards)` (sorted)
    /// are the validation set, the rest the training set.
    public static func split(_ shards: [String], fraction: Double) -> (training: [String], validation: [String]) {
        let held = min(shards.count, Int((fraction * Double(shards.count)).rounded(.toNearestOrAwayFromZero)))
        return (Array(shards[held...]), Array(shards[..<held]))
    }
}
