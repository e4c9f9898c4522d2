/// Text from files (class names read from a checkpoint or a folder, file names) made safe to
/// print: control characters would otherwise reach the terminal as escape sequences (a class
/// named "\u{1B}]0;pwned\u{7}" retitles the window, "\u{1B}[2J" clears it). Each C0/C1 control
/// character and DEL becomes a visible `\u{..}` escape; everything else is kept.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value)
    }

    /// `line` cut to at most `columns` characters (a redrawn progress line that wraps can no
    /// longer be redrawn with `\r`: each redraw would leave one more line behind).
    public static func clipped(_ line: String, columns: Int) -> String {
        line.count <= columns ? line : String(line.prefix(max(0, columns)))
    }
}
