import ConvnetKernels
import ConvnetIR

/// A fusion whose activation-gradient epilogue has the bias gradient as its second result
/// (`FusionKind`'s `_bias_grad` kinds, every conv layer's backward pass) runs it as one pass:
/// each row of dx is computed and added into the per-channel sums while it is in registers.
extension ThunkBuilder {
    /// Rows summed in Float before each Float64 flush: short enough to keep Float rounding
    /// small, long enough that the flush costs nothing.
    static let biasBlockRows = 32

    /// dx = act_grad(dy, y) and db (C) = its column sums, in one pass; dx may be dy (in place).
    func emitActivationBiasGradient(_ f: ActivationFunction, dy: UnsafeMutablePointer<Float>,
                                    y: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                    db: UnsafeMutablePointer<Float>, count: Int, channels: Int,
                                    at inst: Instruction, op: String? = nil) {
        let rows = count / max(channels, 1)
        let sums = arena.doubles(channels)
        add(inst, op: op) {
            Parallel.reduceRows(rows, columns: channels, into: sums) { range, partial in
                // Float sums over blocks of rows (vectorised), flushed into the Float64 partial.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: channels) { blockBuffer in
                    let block = blockBuffer.baseAddress!
                    for start in stride(from: range.lowerBound, to: range.upperBound, by: Self.biasBlockRows) {
                        block.update(repeating: 0, count: channels)
                        for r in start..<min(start + Self.biasBlockRows, range.upperBound) {
                            let o = r * channels
                            let d = dy + o, v = y + o, x = dx + o
                            switch f {
                            case .relu: for k in 0..<channels { x[k] = v[k] <= 0 ? 0 : d[k]; block[k] += x[k] }
                            case .sigmoid: for k in 0..<channels { x[k] = d[k] * (v[k] * (1 - v[k])); block[k] += x[k] }
                            case .tanh: for k in 0..<channels { x[k] = d[k] * (1 - v[k] * v[k]); block[k] += x[k] }
                            }
                        }
                        for k in 0..<channels { partial[k] += Double(block[k]) }
                    }
                }
            }
            for k in 0..<channels { db[k] = Float(sums[k]) }
        }
    }
}
