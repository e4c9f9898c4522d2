/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator used here to turn a seed and a few
/// integers (epoch, image index...) into well-mixed, independent seeds for `Xoshiro256StarStar`.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state = state &+ 0x9e37_79b9_7f4a_7c15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective avalanche of one 64-bit word.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A seed derived from a base seed and a path of integers, e.g. `(seed, tag, epoch, index)`.
    /// Pure, so the same inputs give the same stream on every machine and in every run.
    public static func derive(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
        var h = mix(seed ^ 0x5851_f42d_4c95_7f2d)
        for p in parts { h = mix(h ^ mix(p &+ 0x9e37_79b9_7f4a_7c15)) }
        return h
    }
}
