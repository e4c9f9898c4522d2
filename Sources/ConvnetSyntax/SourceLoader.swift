#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a `.convnet` file as raw bytes (no `String` decoding, so the lexer can report bad
/// UTF-8 at its offset). Failures are diagnostics naming the path, with no range.
public enum SourceLoader {
    /// The largest model file read (16 MiB; flowers.convnet is 300 bytes). Checked before
    /// reading, so `/dev/zero` or a huge file is refused instead of read without end.
    public static let maxFileBytes = 16 << 20

    /// Loads the file at `path`; the path is kept as written for diagnostics. Only a regular file
    /// of at most `maxFileBytes` is read: a FIFO, a device or a socket is refused before any read
    /// (it is opened non-blocking, so even opening a FIFO with no writer cannot hang).
    public static func load(path: String) -> Result<SourceFile, Diagnostic> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return .failure(openFailure(path: path, errorNumber: errno)) }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(openFailure(path: path, errorNumber: errno)) }
        if info.st_mode & S_IFMT == S_IFDIR {
            return .failure(.error("load.is-directory", "'\(path)' is a directory, not a model file", at: nil,
                                   help: "pass the path of a .convnet file"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .failure(.error("load.not-regular", "'\(path)' is not a regular file (a device, a pipe or a socket)", at: nil,
                                   help: "pass the path of a .convnet file; to check generated text, write it to a file first"))
        }
        guard Int(info.st_size) <= maxFileBytes else {
            return .failure(.error("load.too-large", "'\(path)' is \(Int(info.st_size)) bytes, more than the \(maxFileBytes >> 20) MiB a model file may be",
                                   at: nil, help: "a model file is a few lines of text; check that this is the right file"))
        }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                return .failure(.error("load.unreadable", "cannot read '\(path)': \(reason)", at: nil,
                                       help: "check that the file is a readable regular file"))
            }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxFileBytes {  // the file grew while being read
                return .failure(.error("load.too-large", "'\(path)' is more than the \(maxFileBytes >> 20) MiB a model file may be",
                                       at: nil, help: "a model file is a few lines of text; check that this is the right file"))
            }
        }
        return .success(SourceFile(path: path, bytes: bytes))
    }

    private static func openFailure(path: String, errorNumber: Int32) -> Diagnostic {
        switch errorNumber {
        case ENOENT:
            return .error("load.not-found", "no such file '\(path)'", at: nil,
                          help: "check the path; it is relative to the current directory")
        case EACCES:
            return .error("load.unreadable", "cannot read '\(path)': permission denied", at: nil,
                          help: "check the file's permissions")
        case EISDIR:
            return .error("load.is-directory", "'\(path)' is a directory, not a model file", at: nil,
                          help: "pass the path of a .convnet file")
        default:
            let reason = String(cString: strerror(errorNumber))
            return .error("load.unreadable", "cannot read '\(path)': \(reason)", at: nil,
                          help: "check that the file is a readable regular file")
        }
    }
}
