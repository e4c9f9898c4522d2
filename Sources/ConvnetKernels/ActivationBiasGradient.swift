/// A backward fusion's activation gradient with the bias gradient as its second result
/// (`FusionKind`'s `_bias_grad` kinds: every conv layer's backward pass whose relu is not folded
/// into the convolution's kernel) as one pass: each row of dx is computed and added into the
/// per-channel sums while it is in registers. The CPU executor and the native target's
/// generated code both call this, so the two sum in the same order and agree bit for bit.
extension Epilogue {
    /// Rows summed in Float before each Float64 flush: short enough to keep Float rounding
    /// small, long enough that the flush costs nothing.
    public static let biasBlockRows = 32

    /// dx (rows, channels) = activation'(y) * dy, and db (channels) = the column sums of dx, in
    /// Float blocks of `biasBlockRows` rows flushed into Float64 partials with `Parallel`'s fixed
    /// chunking (deterministic), then rounded. `y` is the activation's output (relu: y > 0);
    /// dx may be dy (in place).
    public static func activationBiasGradient(_ dy: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                                              inputGradient dx: UnsafeMutablePointer<Float>,
                                              rows: Int, channels: Int, activation: EpilogueActivation,
                                              biasGradient db: UnsafeMutablePointer<Float>) {
        blockedColumnSums(rows: rows, columns: channels, into: db) { r, block in
            let o = r * channels
            let d = dy + o, v = y + o, x = dx + o
            switch activation {
            case .linear: for k in 0..<channels { x[k] = d[k]; block[k] += x[k] }
            case .relu: for k in 0..<channels { x[k] = v[k] <= 0 ? 0 : d[k]; block[k] += x[k] }
            case .sigmoid: for k in 0..<channels { x[k] = d[k] * (v[k] * (1 - v[k])); block[k] += x[k] }
            case .tanh: for k in 0..<channels { x[k] = d[k] * (1 - v[k] * v[k]); block[k] += x[k] }
            }
        }
    }

    /// The one blocking of a per-channel gradient sum: `addRow(r, block)` adds row r into the
    /// Float `block`, which is flushed into Float64 every `biasBlockRows` rows inside
    /// `Parallel.reduceRows`' fixed chunks (deterministic); the totals are rounded into
    /// `result`, added to what it holds when `accumulate`. Every single-sum gradient kernel goes
    /// through here, so a column sum is the same bits whichever kernel computes it.
    @inline(__always)
    static func blockedColumnSums(rows: Int, columns: Int, into result: UnsafeMutablePointer<Float>,
                                  accumulate: Bool = false,
                                  addRow: (Int, UnsafeMutablePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(columns, 1)) { sumsBuffer in
            let sums = sumsBuffer.baseAddress!
            Parallel.reduceRows(rows, columns: columns, into: sums) { range, partial in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: max(columns, 1)) { blockBuffer in
                    let block = blockBuffer.baseAddress!
                    for start in stride(from: range.lowerBound, to: range.upperBound, by: biasBlockRows) {
                        block.update(repeating: 0, count: columns)
                        for r in start..<min(start + biasBlockRows, range.upperBound) { addRow(r, block) }
                        for k in 0..<columns { partial[k] += Double(block[k]) }
                    }
                }
            }
            for k in 0..<columns { result[k] = Float(sums[k] + (accumulate ? Double(result[k]) : 0)) }
        }
    }
}
