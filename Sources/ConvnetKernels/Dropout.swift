/// Inverted dropout with a counter-based random stream: element i is dropped when
/// uniform(seed, i) < rate, where uniform hashes (seed, i) with SplitMix64's finaliser. No mask
/// is stored; backward recomputes it from the same seed, and any split over the cores gives
/// the same result. The training step passes a fresh seed per step and per layer.
public enum Dropout {
    /// A uniform value in [0, 1) for element `index` of the stream `seed` (24 random bits).
    @inline(__always)
    public static func uniform(seed: UInt64, index: Int) -> Float {
        var z = seed &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) * (1 / 16_777_216)
    }

    /// Training: y = x / (1 - rate) where kept, 0 where dropped. Inference is the identity
    /// (callers skip the op or copy). In place is allowed (output == input).
    public static func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                               count: Int, rate: Float, seed: UInt64) {
        apply(input, output, count, rate, seed)
    }

    /// dX = dY / (1 - rate) where the forward kept the element, else 0 (same seed as forward).
    public static func backward(outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                                count: Int, rate: Float, seed: UInt64) {
        apply(outputGradient, inputGradient, count, rate, seed)
    }

    private static func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                              _ count: Int, _ rate: Float, _ seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        let scale = 1 / (1 - rate)
        Parallel.forRanges(count, grain: 16384) { range in
            for i in range { y[i] = uniform(seed: seed, index: i) < rate ? 0 : x[i] * scale }
        }
    }
}
