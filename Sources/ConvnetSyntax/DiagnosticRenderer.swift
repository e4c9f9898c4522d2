/// Renders diagnostics as text, in one place, the way compilers print them:
///
/// ```
/// flowers.convnet:3:10: error: a convolution needs at least one filter
///   3 | conv 3x3x0 relu
///     |          ^
/// help: write the filter count as the last number, e.g. conv 3x3x32
/// ```
///
/// Byte offsets become 1-based line:column only here. Colour is opt-in (`useColor`), because
/// only the CLI knows whether it writes to a terminal.
public struct DiagnosticRenderer: Sendable {
    public var source: SourceFile
    public var useColor: Bool

    public init(source: SourceFile, useColor: Bool = false) {
        self.source = source
        self.useColor = useColor
    }

    /// Renders several diagnostics, in the order given, each ending with a newline.
    public static func render(_ diagnostics: [Diagnostic], in source: SourceFile, useColor: Bool = false) -> String {
        DiagnosticRenderer(source: source, useColor: useColor).render(diagnostics)
    }

    /// Renders several diagnostics, in the order given, each ending with a newline.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined()
    }

    /// Renders one diagnostic: header, source excerpt, notes (each with its own excerpt when it
    /// has a range), then `help:`.
    public func render(_ diagnostic: Diagnostic) -> String {
        // One gutter width for the whole diagnostic, so the `|` of every excerpt lines up.
        let lines = ([diagnostic.range] + diagnostic.notes.map(\.range)).compactMap { $0 }
            .map { source.location(of: $0.start).line }
        let gutter = String(lines.max() ?? 1).count
        var out = header(diagnostic.severity, diagnostic.message, at: diagnostic.range)
        if let range = diagnostic.range { out += excerpt(range, severity: diagnostic.severity, gutter: gutter) }
        for note in diagnostic.notes {
            out += paint("note:", Style.note) + " " + note.message + "\n"
            if let range = note.range { out += excerpt(range, severity: .note, gutter: gutter) }
        }
        if let help = diagnostic.help { out += paint("help:", Style.bold) + " " + help + "\n" }
        return out
    }

    /// `path:line:col: error: message`, or `path: error: message` for whole-file problems.
    private func header(_ severity: Severity, _ message: String, at range: SourceRange?) -> String {
        var place = source.path
        if let range {
            let location = source.location(of: range.start)
            place += ":\(location.line):\(location.column)"
        }
        return paint(place + ":", Style.bold) + " " + paint(severity.description + ":", Style.of(severity))
            + " " + paint(message, Style.bold) + "\n"
    }

    /// The source line with a gutter, and a caret line: `^` under the start, `~` under the rest
    /// of the range on that line. Tabs in the line are kept in the padding so the caret lines up.
    private func excerpt(_ range: SourceRange, severity: Severity, gutter: Int) -> String {
        let range = SourceRange(max(0, min(range.start, source.bytes.count)), min(range.end, source.bytes.count))
        let location = source.location(of: range.start)
        let line = location.line
        let lineStart = source.lineStarts[line - 1]
        var lineEnd = line < source.lineStarts.count ? source.lineStarts[line] - 1 : source.bytes.count
        if lineEnd > lineStart, source.bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
        let start = min(range.start, lineEnd)
        let end = max(start, min(range.end, lineEnd))
        // A long line is shown as a window around the caret, so each excerpt costs the same
        // however long the line is (a 72 KB line must not be printed once per error).
        let window = DiagnosticRenderer.window(lineStart: lineStart, lineEnd: lineEnd, start: start, end: end,
                                               bytes: source.bytes)
        let prefix = (window.clippedLeft ? "..." : "") + String(decoding: source.bytes[window.start..<start], as: UTF8.self)
        let padding = String(DiagnosticRenderer.visible(prefix).map { $0 == "\t" ? "\t" : " " })
        let width = String(decoding: source.bytes[start..<min(end, window.end)], as: UTF8.self).count
        let marker = "^" + String(repeating: "~", count: max(0, width - 1))

        let number = String(repeating: " ", count: max(0, gutter - String(line).count)) + String(line)
        let blank = String(repeating: " ", count: number.count)
        var lineText = String(decoding: source.bytes[window.start..<window.end], as: UTF8.self)
        if window.clippedLeft { lineText = "..." + lineText }
        if window.clippedRight { lineText += "..." }
        let text = DiagnosticRenderer.visible(lineText)
        var out = "  \(number) |" + (text.isEmpty ? "" : " " + text) + "\n"
        out += "  \(blank) | " + padding + paint(marker, Style.of(severity)) + "\n"
        return out
    }

    /// Bytes of context kept on each side of the caret in a long line.
    static let excerptContext = 60

    /// The part of the line `[lineStart, lineEnd)` shown for a range `[start, end)`: the whole
    /// line when it is short, else `excerptContext` bytes either side (the range itself cut to
    /// as much), moved to UTF-8 character boundaries.
    static func window(lineStart: Int, lineEnd: Int, start: Int, end: Int, bytes: [UInt8])
        -> (start: Int, end: Int, clippedLeft: Bool, clippedRight: Bool) {
        guard lineEnd - lineStart > 3 * excerptContext else { return (lineStart, lineEnd, false, false) }
        func isContinuation(_ i: Int) -> Bool { i < bytes.count && bytes[i] & 0xC0 == 0x80 }
        var from = max(lineStart, start - excerptContext)
        while from > lineStart, isContinuation(from) { from -= 1 }
        var to = min(lineEnd, max(end, start + 1) + excerptContext, start + 2 * excerptContext)
        while to < lineEnd, isContinuation(to) { to += 1 }
        return (from, to, from > lineStart, to < lineEnd)
    }

    /// Control characters (other than tab) shown as their Unicode "control picture", e.g. NUL
    /// as U+2400, one character each so the caret still lines up; a byte order mark dropped.
    static func visible(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09: out.append(scalar)
            case 0x00..<0x20: out.append(Unicode.Scalar(0x2400 + scalar.value)!)
            case 0x7F: out.append(Unicode.Scalar(0x2421)!)
            case 0xFEFF: continue  // a byte order mark is invisible; dropping it keeps carets aligned
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    private func paint(_ text: String, _ style: String) -> String {
        useColor ? style + text + Style.reset : text
    }

    /// ANSI escape sequences: bold red errors, bold magenta warnings, bold cyan notes.
    private enum Style {
        static let reset = "\u{1B}[0m"
        static let bold = "\u{1B}[1m"
        static let error = "\u{1B}[1;31m"
        static let warning = "\u{1B}[1;35m"
        static let note = "\u{1B}[1;36m"

        static func of(_ severity: Severity) -> String {
            switch severity {
            case .error: error
            case .warning: warning
            case .note: note
            }
        }
    }
}
