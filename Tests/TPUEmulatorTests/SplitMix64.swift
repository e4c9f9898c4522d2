/// A tiny seeded generator so that every test input is reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A float in [-1, 1), with a spread of exponents when `wide` is set so that the rounding
    /// and the accumulation order both matter.
    mutating func float(wide: Bool = false) -> Float {
        let unit = Float(next() >> 40) * 0x1p-24 * 2 - 1
        guard wide else { return unit }
        let scale = Float(Int(next() % 17) - 8)
        return unit * Float.pow2(scale)
    }

    /// `count` floats from `float(wide:)`.
    mutating func floats(_ count: Int, wide: Bool = false) -> [Float] {
        (0..<count).map { _ in float(wide: wide) }
    }
}

extension Float {
    /// 2^e for small integral e, without Foundation.
    static func pow2(_ e: Float) -> Float { Float(sign: .plus, exponent: Int(e), significand: 1) }
}
