import ConvnetInterface

/// Inverted dropout with the mask of `DropoutMask` (a pure function of seed, salt and element
/// index, shared by every backend): element i is kept, and scaled by 1 / (1 - rate), when its
/// hash is at or above the rate's threshold. No mask is stored; backward recomputes it from the
/// same seed, and any split over the cores gives the same result.
public enum Dropout {
    /// Training: y = x / (1 - rate) where kept, 0 where dropped. Inference is the identity
    /// (callers skip the op or copy). In place is allowed (output == input). The backward op is
    /// the same function of dY with the same seed and salt.
    public static func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                               count: Int, rate: Double, seed: Int32, salt: Int) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1)")
        let threshold = DropoutMask.threshold(rate: rate)
        let scale = Float(1 / (1 - rate))
        let key = DropoutMask.key(seed: UInt32(bitPattern: seed), salt: UInt32(truncatingIfNeeded: salt))
        Parallel.forRanges(count, grain: 16384) { range in
            for i in range {
                let h = DropoutMask.hash(key: key, index: UInt32(truncatingIfNeeded: i))
                output[i] = h >= threshold ? input[i] * scale : 0
            }
        }
    }
}
