#if canImport(Glibc)
import Glibc
#endif

/// The folders a listing has entered, by device and inode, so that no folder is listed twice:
/// a symlink loop (`daisy/up -> ..`) or a link back to the root (`zzz -> .`) is then seen at its
/// second visit and skipped, however the link is spelled. Paths cannot tell this (every turn
/// round a loop has a new path); the inode can.
struct DirectoryVisits {
    private struct Key: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private var seen: Set<Key> = []

    /// True the first time the folder at `path` (links followed) is seen; false afterwards, and
    /// for a path that cannot be examined.
    mutating func firstVisit(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return seen.insert(Key(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))).inserted
    }
}
