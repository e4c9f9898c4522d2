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
}

/// Standard output, flushed after every write; a terminal when stdout is a TTY.
public final class StandardOutput: ProgressOutput {
    public let isTerminal: Bool

    public init() { isTerminal = isatty(STDOUT_FILENO) == 1 }

    public func write(_ text: String) {
        // `print` shares stdout's buffer with the rest of the program, so lines never interleave
        // out of order; `fflush(nil)` flushes it without touching the global `stdout` variable.
        print(text, terminator: "")
        fflush(nil)
    }
}

/// Collects everything written, for tests (or to embed progress in another report).
public final class CapturedOutput: ProgressOutput {
    public let isTerminal: Bool
    /// Everything written so far.
    public private(set) var text = ""

    public init(isTerminal: Bool) { self.isTerminal = isTerminal }

    public func write(_ text: String) { self.text += text }
}
