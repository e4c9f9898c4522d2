#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a `.convnet` file as raw bytes (no `String` decoding, so the lexer can report bad
/// UTF-8 at its offset). Failures are diagnostics naming the path, with no range.
public enum SourceLoader {
    /// Loads the file at `path`; the path is kept as written for diagnostics.
    public static func load(path: String) -> Result<SourceFile, Diagnostic> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(openFailure(path: path, errorNumber: errno)) }
        defer { close(fd) }

        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            return .failure(.error("load.is-directory", "'\(path)' is a directory, not a model file", at: nil,
                                   help: "pass the path of a .convnet file"))
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
