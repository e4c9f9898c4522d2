/// Accumulates indented lines of generated Swift, so emitters write code, not whitespace.
struct CodeWriter {
    private(set) var lines: [String] = []
    private var depth = 0

    /// Appends one line at the current indentation (an empty string stays empty).
    mutating func line(_ text: String = "") {
        lines.append(text.isEmpty ? "" : String(repeating: "    ", count: depth) + text)
    }

    /// Appends `open`, the body one level deeper, then `close`.
    mutating func block(_ open: String, close: String = "}", _ body: (inout CodeWriter) -> Void) {
        line(open)
        depth += 1
        body(&self)
        depth -= 1
        line(close)
    }

    var text: String { lines.joined(separator: "\n") + "\n" }
}

/// Swift literal spellings shared by the emitters.
enum Literal {
    /// A Float literal that reads back to exactly `value` (`0.9`, `1e-07`, `-Float.infinity`).
    static func float(_ value: Double) -> String {
        let f = Float(value)
        if f.isNaN { return "Float.nan" }
        if f.isInfinite { return f < 0 ? "-Float.infinity" : "Float.infinity" }
        let text = "\(f)"
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    /// A Swift string literal.
    static func string(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }

    /// `(4, 16, 16, 32)`, or `()` for a scalar: shapes as written beside buffers.
    static func shape(_ dims: [Int]) -> String { "(" + dims.map(String.init).joined(separator: ", ") + ")" }
}
