/// A byte range `[start, end)` in a source file. Locations stay byte offsets until a
/// diagnostic is printed; only then are they turned into 1-based line:column.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// An empty range at one offset (used for "missing X at end of line").
    public static func at(_ offset: Int) -> SourceRange { SourceRange(offset, offset) }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(Swift.min(start, other.start), Swift.max(end, other.end))
    }

    public var description: String { "\(start)..<\(end)" }
}

/// A 1-based line and column (columns count bytes, as compilers do).
public struct SourceLocation: Hashable, Sendable {
    public var line: Int
    public var column: Int
}

/// The text of one `.convnet` file and where its lines start.
public struct SourceFile: Sendable {
    /// The path as the user wrote it; printed in diagnostics.
    public let path: String
    /// The raw bytes. The lexer works on bytes so that invalid UTF-8 can be diagnosed, not crash.
    public let bytes: [UInt8]
    /// Byte offset of the first byte of each line.
    public let lineStarts: [Int]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The 1-based line and column of a byte offset.
    public func location(of offset: Int) -> SourceLocation {
        let clamped = Swift.max(0, Swift.min(offset, bytes.count))
        // Binary search for the last line start <= offset.
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= clamped { lo = mid } else { hi = mid - 1 }
        }
        return SourceLocation(line: lo + 1, column: clamped - lineStarts[lo] + 1)
    }

    /// The text of a 1-based line without its newline (invalid UTF-8 shown as U+FFFD).
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<Swift.max(start, end)], as: UTF8.self)
    }

    /// The source text covered by a range.
    public func text(_ range: SourceRange) -> String {
        let s = Swift.max(0, Swift.min(range.start, bytes.count))
        let e = Swift.max(s, Swift.min(range.end, bytes.count))
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }

    /// The file name without directories, e.g. `flowers.convnet`.
    public var fileName: String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
