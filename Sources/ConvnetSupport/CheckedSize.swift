/// Checked arithmetic for sizes, counts and byte totals: the one place where convnetc decides what
/// happens when a product or a sum of sizes does not fit in an `Int`. A model file, a flag or a
/// checkpoint can ask for any number; each count is computed here, and a nil result becomes a
/// diagnostic at the line (or flag) that asked ("this model needs 1.2e19 parameters"), never a
/// trap.
public enum CheckedSize {
    /// The largest total convnetc computes with for one image (parameters, MACs): 2^50, about
    /// 1.1e15. It leaves room for every product made later (bytes, optimizer slots, FLOPs of a
    /// training step, a batch) to be checked against `Int.max` rather than overflow it.
    public static let countLimit = 1 << 50

    /// The product, or nil when it overflows `Int` (or a factor is negative).
    public static func product(_ factors: Int...) -> Int? { product(factors) }

    public static func product(_ factors: [Int]) -> Int? {
        var n = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: f)
            if o { return nil }
            n = p
        }
        return n
    }

    /// The sum, or nil when it overflows `Int`.
    public static func sum(_ terms: Int...) -> Int? { sum(terms) }

    public static func sum(_ terms: [Int]) -> Int? {
        var n = 0
        for t in terms {
            let (s, o) = n.addingReportingOverflow(t)
            if o { return nil }
            n = s
        }
        return n
    }

    /// The product, clamped to `Int.max`: for budgets and thresholds, where "more than anything"
    /// is the right answer to an overflow.
    public static func saturatingProduct(_ factors: Int...) -> Int { product(factors) ?? .max }

    /// The exact product as a Double (never overflows), for messages and memory estimates.
    public static func approximateProduct(_ factors: Int...) -> Double { factors.reduce(1.0) { $0 * Double($1) } }

    /// `1.2e19`: a count too large to group with commas, for messages.
    public static func scientific(_ value: Double) -> String {
        guard value.isFinite, value >= 1e6 else { return String(Int(value)) }
        var exponent = Int(value.magnitude.log10Floor)
        var mantissa = value / pow10(exponent)
        if (mantissa * 10).rounded() >= 100 { mantissa /= 10; exponent += 1 }
        let tenths = Int((mantissa * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)e\(exponent)"
    }

    private static func pow10(_ e: Int) -> Double { (0..<e).reduce(1.0) { r, _ in r * 10 } }
}

private extension Double {
    var log10Floor: Double {
        var e = 0.0, v = self
        while v >= 10 { v /= 10; e += 1 }
        return e
    }
}
