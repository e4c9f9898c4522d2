import ConvnetSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who holds a run folder: written into its `run.lock` by the holder, read by whoever is refused.
public struct RunLockHolder: Equatable, Sendable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    /// When the holder started, ISO 8601 UTC.
    public var started: String

    public var description: String { "pid \(pid) on \(host), started \(started)" }

    var json: JSON { .object([("pid", .int(Int(pid))), ("host", .string(host)), ("started", .string(started))]) }

    init(pid: Int32, host: String, started: String) {
        self.pid = pid
        self.host = host
        self.started = started
    }

    /// Reads a lock file's text; nil when it is not what `json` writes (a half-written lock).
    init?(text: String) {
        guard let value = try? JSONParser.parse(text), case .int(let pid)? = value["pid"],
              case .string(let host)? = value["host"], case .string(let started)? = value["started"],
              let pid32 = Int32(exactly: pid) else { return nil }
        self.init(pid: pid32, host: host, started: started)
    }
}

/// An exclusive hold on a run folder for the life of one run, so two runs never write their
/// checkpoints into the same folder at once.
///
/// The lock is `flock(2)` on `RUN/run.lock`: the kernel drops it when the holder's process ends in
/// any way (`kill -9` included), so a lock left by a dead process is never in force and the next
/// run simply takes it over. The file's text names the holder (pid, host, start time) for the
/// refusal message; it is informative only, the `flock` is what excludes.
public final class RunLock {
    public let url: URL
    private var fd: Int32
    /// The holder named in a lock file this run took over (its process had ended), if any.
    public let takenOverFrom: RunLockHolder?

    /// The lock file inside a run folder.
    public static func file(in folder: URL) -> URL { folder.appendingPathComponent("run.lock") }

    /// Takes the lock of `folder` (which must exist), or throws `TrainingError.runLocked` naming
    /// the holder when another process (or another run in this process) has it.
    public init(folder: URL) throws(TrainingError) {
        url = RunLock.file(in: folder)
        while true {
            let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw .invalidOption("cannot create the run lock \(url.path): \(String(cString: strerror(errno)))")
            }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let holder = RunLock.readHolder(fd)
                close(fd)
                throw .runLocked(folder: folder.path, holder: holder)
            }
            // The previous holder may have unlinked the file between our open and our flock:
            // then we hold a lock on a file nobody else will open. Retry on the current one.
            var opened = stat(), current = stat()
            guard fstat(fd, &opened) == 0, stat(url.path, &current) == 0,
                  opened.st_ino == current.st_ino, opened.st_dev == current.st_dev else {
                close(fd)
                continue
            }
            let previous = RunLock.readHolder(fd)
            self.fd = fd
            self.takenOverFrom = previous
            let me = RunLockHolder(pid: getpid(), host: ProcessInfo.processInfo.hostName,
                                   started: ISO8601DateFormatter().string(from: Date()))
            let text = Array((me.json.compactText + "\n").utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            return
        }
    }

    /// Gives the lock up and removes the file (the unlink comes first, under the lock, so no one
    /// can lock a file that is about to disappear without noticing: see the inode check).
    public func release() {
        guard fd >= 0 else { return }
        unlink(url.path)
        close(fd)
        fd = -1
    }

    deinit { release() }

    private static func readHolder(_ fd: Int32) -> RunLockHolder? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return RunLockHolder(text: String(decoding: buffer[0..<n], as: UTF8.self))
    }
}
