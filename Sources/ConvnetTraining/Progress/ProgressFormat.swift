import Foundation

/// The number and time formats Keras's `Progbar` uses, shared by both progress bars.
public enum ProgressFormat {
    /// A bar of `width` cells for `current` of `total`: `=` for done, `>` at the head while
    /// unfinished, `.` for the rest (Keras: `[=========>....................]`).
    public static func bar(current: Int, total: Int, width: Int) -> String {
        guard total > 0 else { return "[" + String(repeating: "=", count: width) + "]" }
        let done = min(width, Int(Double(width) * Double(current) / Double(total)))
        var s = "["
        if done > 0 {
            s += String(repeating: "=", count: done - 1)
            s += current < total ? ">" : "="
        }
        s += String(repeating: ".", count: width - done) + "]"
        return s
    }

    /// Remaining time as Keras shows it: `12s`, `3:07` (over a minute), `1:02:03` (over an hour).
    public static func eta(_ seconds: Double) -> String {
        let s = Int(max(0, seconds.isFinite ? seconds : 0))
        if seconds > 3600 { return String(format: "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60) }
        if seconds > 60 { return String(format: "%d:%02d", s / 60, s % 60) }
        return "\(s)s"
    }

    /// Time per step as Keras shows it: `2s/step`, `130ms/step`, `950us/step`.
    public static func timePerStep(_ seconds: Double, unit: String = "step") -> String {
        if seconds >= 1 || seconds == 0 { return String(format: "%.0f", seconds) + "s/" + unit }
        if seconds >= 1e-3 { return String(format: "%.0f", seconds * 1e3) + "ms/" + unit }
        return String(format: "%.0f", seconds * 1e6) + "us/" + unit
    }

    /// A metric value: 4 decimals, or scientific notation when tiny (`1.2345e-05`), as Keras.
    public static func metric(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        return abs(value) > 1e-3 ? String(format: "%.4f", value) : String(format: "%.4e", value)
    }

    /// ` - name: value` for each metric, in order.
    public static func metrics(_ values: [(String, Double)]) -> String {
        values.map { " - \($0.0): \(metric($0.1))" }.joined()
    }
}
