#if canImport(Glibc)
import Glibc
#endif

/// Where progress text goes, and whether it is a terminal (which decides between a redrawn bar
/// and plain log lines). Isolated so tests can capture the exact text.
public protocol ProgressOutput: AnyObject {
    /// True when `\r` redraws are shown to a person (a TTY); false for files, pipes and CI logs.
    var isTerminal: Bool { get }
    /// Writes text as is (no newline added) and makes it visible at once.
    func write(_ text: String)
    /// The terminal's width in characters: a redrawn line must stay shorter, or it wraps.
    var columns: Int { get }
}

extension ProgressOutput {
    public var columns: Int { 80 }
}

/// Standard output (or standard error), flushed after every write; a terminal when that
/// stream is a TTY. Commands whose stdout is a document (`--format json`) send progress to
/// standard error, so stdout holds exactly the document.
public final class StandardOutput: ProgressOutput {
    public let isTerminal: Bool
    private let toStandardError: Bool

    /// Progress on standard output.
    public convenience init() { self.init(toStandardError: false) }

    public init(toStandardError: Bool) {
        self.toStandardError = toStandardError
        isTerminal = isatty(toStandardError ? STDERR_FILENO : STDOUT_FILENO) == 1
    }

    /// The window's width now (it may be resized during a run), else `COLUMNS`, else 80.
    public var columns: Int {
        var size = winsize()
        if ioctl(toStandardError ? STDERR_FILENO : STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let text = getenv("COLUMNS"), let n = Int(String(cString: text)), n > 0 { return n }
        return 80
    }

    public func write(_ text: String) {
        // `print` shares stdout's buffer with the rest of the program, so lines never interleave
        // out of order; `fflush(nil)` flushes it without touching the global `stdout` variable.
        fflush(nil)
        guard toStandardError else {
            print(text, terminator: "")
            fflush(nil)
            return
        }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            offset += n
        }
    }
}

/// Collects everything written, for tests (or to embed progress in another report).
public final class CapturedOutput: ProgressOutput {
    public let isTerminal: Bool
    /// Everything written so far.
    public private(set) var text = ""

    /// The width a terminal would have.
    public var columns: Int

    public init(isTerminal: Bool, columns: Int = 80) {
        self.isTerminal = isTerminal
        self.columns = columns
    }

    public func write(_ text: String) { self.text += text }
}
