import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a crash, a full disk or a Ctrl-C never leaves a half-written checkpoint,
/// plot or summary behind: the bytes go to `NAME.tmp-PID` in the same folder, are fsync'ed, the
/// temporary is renamed over the target (atomic within one file system), and the folder is
/// fsync'ed so the rename itself survives a power cut. Readers see the old file or the new one.
public enum AtomicFile {
    /// Why an atomic write failed.
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        public let path: String
        public let detail: String
        public var description: String { "\(path): cannot write: \(detail)" }
    }

    /// The temporary file name used while writing `url`.
    public static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent("\(url.lastPathComponent).tmp-\(getpid())")
    }

    /// Atomically replaces (or creates) `url` with `bytes`.
    /// - Parameter beforeRename: called after the temporary is complete and synced, just before
    ///   the rename; a test hook to simulate a failure at the worst moment. If it throws, the
    ///   temporary is removed, the target is left untouched and the error propagates.
    public static func write(_ bytes: [UInt8], to url: URL,
                             beforeRename: (URL) throws -> Void = { _ in }) throws {
        let tmp = temporaryURL(for: url)
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError(url, "open \(tmp.lastPathComponent)") }
        var closed = false
        do {
            defer { if !closed { close(fd) } }
            var written = 0
            while written < bytes.count {
                let n = bytes.withUnsafeBytes { buf in
                    Glibc.write(fd, buf.baseAddress! + written, buf.count - written)
                }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw posixError(url, "write")
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw posixError(url, "fsync") }
            closed = true
            guard close(fd) == 0 else { throw posixError(url, "close") }
            try beforeRename(tmp)
            guard rename(tmp.path, url.path) == 0 else { throw posixError(url, "rename") }
        } catch {
            unlink(tmp.path)
            throw error
        }
        syncDirectory(of: url)
    }

    /// Atomically replaces `url` with the UTF-8 bytes of `text`.
    public static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }

    /// Flushes the folder entry so the rename is durable; best effort (some file systems refuse).
    private static func syncDirectory(of url: URL) {
        let dir = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return }
        _ = fsync(dir)
        close(dir)
    }

    private static func posixError(_ url: URL, _ step: String) -> WriteError {
        WriteError(path: url.path, detail: "\(step) failed: \(String(cString: strerror(errno)))")
    }
}
