import ConvnetData

/// The per-step random inputs of a training step, as pure functions of `(seed, step)` so a
/// resumed run draws exactly what an uninterrupted one would.
public enum StepSeeds {
    static let dropoutTag: UInt64 = 0x4452_4f50  // "DROP"

    /// The dropout seed of 1-based global step `step`. Kept below 2^24 so that it survives the
    /// reference interpreter, which carries i32 inputs as Float, without rounding.
    public static func dropout(seed: UInt64, step: Int) -> Int32 {
        Int32(truncatingIfNeeded: SplitMix64.derive(seed, dropoutTag, UInt64(step)) & 0xFF_FFFF)
    }
}
