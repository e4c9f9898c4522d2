/// Number formatting for tables people read.
public enum NumberFormat {
    /// `1234567` -> `1,234,567` (Keras' summary style).
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// Bytes in binary units: `512 B`, `2.25 MiB`, `1.5 GiB`.
    public static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : fixed(value, 2) + " " + units[unit]
    }

    /// Large counts in SI units: `15.9 M`, `1.23 G`.
    public static func si(_ n: Double) -> String {
        let units = ["", " k", " M", " G", " T", " P"]
        var value = n, unit = 0
        while abs(value) >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return (unit == 0 ? fixed(value, 0) : fixed(value, value < 10 ? 2 : 1)) + units[unit]
    }

    /// A fixed number of decimals without Foundation's locale-dependent formatting.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        let whole = Int(rounded / scale)
        let frac = Int(rounded - Double(whole) * scale)
        let sign = value < 0 && rounded != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        let fracText = String(frac)
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fracText.count) + fracText
    }

    /// Percent with one decimal: `0.9453` -> `94.5%`.
    public static func percent(_ fraction: Double, decimals: Int = 1) -> String {
        fixed(fraction * 100, decimals) + "%"
    }

    /// Pads on the right to a width (tables).
    public static func padRight(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// Pads on the left to a width (numeric columns).
    public static func padLeft(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }
}
