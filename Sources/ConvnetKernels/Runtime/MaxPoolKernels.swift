/// Max pooling with non-overlapping windows (stride >= size, the Keras default), written so
/// the loops over channels vectorise: each output pixel keeps a running maximum and the tap
/// that holds it for all channels at once.
///
/// The backward pass works from *winner codes*, one byte per output element: the tap t of the
/// window (row-major) that first holds the maximum, plus `notPositive` (0x80) when that maximum
/// is <= 0 (or NaN), which is where a relu before the pool has zero slope. Ties go to the first
/// maximum in (row, column) order, as in the reference.
///
/// Why codes: the forward pass can record them as it goes (`forward(_:input:output:winners:)`,
/// 1/4 of a byte per input element for 2x2 windows), and then the backward pass never reads
/// the pool's input again. For the flowers model's second convolution that input is 141 MB at
/// batch 32, read once more in every step only to find the winners again. Without a record
/// (the pool's forward ran elsewhere), the backward pass finds the codes itself, one output
/// row at a time, and scatters the same way.
///
/// Backward writes every tap of a window exactly once (dy at the winner, 0 elsewhere), so
/// nothing is zeroed twice and nothing is scattered.
public enum MaxPoolKernels {
    /// Whether these kernels apply (windows do not overlap, a tap fits in 7 bits, no padding).
    public static func applies(_ g: PoolGeometry) -> Bool {
        PoolGeometry.winnerKernelsApply(size: g.pool, stride: g.stride, padded: g.isPadded)
    }

    /// The bit of a winner code set when the window's maximum is not > 0.
    static let notPositive: UInt8 = 0x80

    /// Bytes of winner codes for `g`: one per output element.
    public static func winnerBytes(_ g: PoolGeometry) -> Int { g.outputCount }

    /// y (N, OH, OW, C) = max over each window of x (N, H, W, C); with `winners` (N, OH, OW, C
    /// bytes) also each element's winner code, for the backward pass.
    public static func forward(_ g: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                               winners: UnsafeMutablePointer<UInt8>? = nil) {
        Parallel.forRanges(g.batch * g.outHeight, grain: 4) { range in
            for task in range { forwardRow(g, task / g.outHeight, task % g.outHeight, input: input, output: output, winners: winners) }
        }
    }

    /// Output row `oh` of image `n` of `forward`, on the calling thread. It reads input rows
    /// `oh * stride ..< oh * stride + pool` only, so a convolution can pool each band of its
    /// output right after writing it, while the rows are still in cache (`ParallelConv`).
    public static func forwardRow(_ g: PoolGeometry, _ n: Int, _ oh: Int, input: UnsafePointer<Float>,
                                  output: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<UInt8>?) {
        let c = g.channels, task = n * g.outHeight + oh
        let image = input + n * g.inHeight * g.inWidth * c
        for ow in 0..<g.outWidth {
            let at = (task * g.outWidth + ow) * c
            let corner = image + (oh * g.stride * g.inWidth + ow * g.stride) * c
            if let winners {
                findWinners(g, corner, best: output + at, codes: winners + at)
            } else {
                findMaximum(g, corner, best: output + at)
            }
        }
    }

    /// The output row of pooling `g` completed when input row `row` has been written (input rows
    /// are written in order), if any: rows `q * stride ..< q * stride + pool` make output row q.
    public static func outputRow(_ g: PoolGeometry, completedBy row: Int) -> Int? {
        let first = row + 1 - g.pool
        guard first >= 0, first % g.stride == 0, first / g.stride < g.outHeight else { return nil }
        return first / g.stride
    }

    /// dX (N, H, W, C): each window's dy at its first maximum, 0 elsewhere (overwritten).
    /// `winners` is the forward pass's record for this input, or nil to find them from `input`.
    public static func backward(_ g: PoolGeometry, input: UnsafePointer<Float>, winners: UnsafePointer<UInt8>? = nil,
                                outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(g.batch * g.outHeight, grain: 4) { range in
            withRowCodes(g, input: input, winners: winners) { codesOfRow in
                for task in range {
                    scatterRow(g, task, codes: codesOfRow(task), keep: 0x7F, outputGradient: outputGradient,
                               inputGradient: inputGradient, rowSum: nil)
                }
            }
        }
    }

    /// The backward pass of relu -> max pool, and the bias gradient of the layer before, in
    /// one pass: dX (N, H, W, C) = `backward`'s result masked by x > 0 (x, the pool's input, is
    /// the relu's output), and `biasSums` (C, Float64, overwritten) = dX summed over pixels.
    ///
    /// Why: the unfused form writes dX, then reads it back with x to mask it and sum it, two
    /// more passes over the layer's largest tensor. Every window's sum is its winning tap's
    /// masked dy, so the bias sums are taken over the output rows, in `Parallel.reduceRows`'
    /// fixed chunks.
    public static func backwardRelu(_ g: PoolGeometry, input: UnsafePointer<Float>, winners: UnsafePointer<UInt8>? = nil,
                                    outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                                    biasSums: UnsafeMutablePointer<Double>) {
        let c = g.channels
        Parallel.reduceRows(g.batch * g.outHeight, columns: c, into: biasSums) { range, partial in
            withRowCodes(g, input: input, winners: winners) { codesOfRow in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { scratch in
                    let rowSum = scratch.baseAddress!
                    for task in range {
                        rowSum.update(repeating: 0, count: c)
                        // A code with `notPositive` set matches no tap: relu' is 0 there.
                        scatterRow(g, task, codes: codesOfRow(task), keep: 0xFF, outputGradient: outputGradient,
                                   inputGradient: inputGradient, rowSum: rowSum)
                        for k in 0..<c { partial[k] += Double(rowSum[k]) }
                    }
                }
            }
        }
    }

    /// Calls `body` with a function from an output row (n * OH + oh) to its winner codes
    /// (OW, C): the forward's record when there is one, else found from `input` into scratch.
    private static func withRowCodes(_ g: PoolGeometry, input: UnsafePointer<Float>, winners: UnsafePointer<UInt8>?,
                                     _ body: ((Int) -> UnsafePointer<UInt8>) -> Void) {
        let rowElements = g.outWidth * g.channels
        if let winners {
            body { task in winners + task * rowElements }
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rowElements) { codes in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: g.channels) { scratch in
                let best = scratch.baseAddress!
                body { task in
                    let n = task / g.outHeight, oh = task % g.outHeight
                    let image = input + n * g.inHeight * g.inWidth * g.channels
                    for ow in 0..<g.outWidth {
                        let corner = image + (oh * g.stride * g.inWidth + ow * g.stride) * g.channels
                        findWinners(g, corner, best: best, codes: codes.baseAddress! + ow * g.channels)
                    }
                    return UnsafePointer(codes.baseAddress!)
                }
            }
        }
    }

    /// For one window whose top-left input pixel is `corner`: `best` (C) = each channel's
    /// maximum.
    @inline(__always)
    static func findMaximum(_ g: PoolGeometry, _ corner: UnsafePointer<Float>, best: UnsafeMutablePointer<Float>) {
        let c = g.channels, p = g.pool
        best.update(from: corner, count: c)
        for t in 1..<(p * p) {
            let xt = corner + ((t / p) * g.inWidth + t % p) * c
            for k in 0..<c { best[k] = xt[k] > best[k] ? xt[k] : best[k] }
        }
    }

    /// `findMaximum`, and `codes` (C) = each channel's winner code.
    @inline(__always)
    static func findWinners(_ g: PoolGeometry, _ corner: UnsafePointer<Float>,
                            best: UnsafeMutablePointer<Float>, codes: UnsafeMutablePointer<UInt8>) {
        let c = g.channels, p = g.pool
        best.update(from: corner, count: c)
        codes.update(repeating: 0, count: c)
        for t in 1..<(p * p) {
            let xt = corner + ((t / p) * g.inWidth + t % p) * c
            let tt = UInt8(t)
            for k in 0..<c {
                let better = xt[k] > best[k]
                best[k] = better ? xt[k] : best[k]
                codes[k] = better ? tt : codes[k]
            }
        }
        for k in 0..<c { codes[k] |= best[k] > 0 ? 0 : notPositive }
    }

    /// Writes the input rows under output row `task` (n * OH + oh): every window's taps get dy
    /// where `code & keep` names the tap, 0 elsewhere; the uncovered rows and columns get 0.
    /// With `rowSum` (C), adds each window's kept dy (the sum of what it wrote) per channel.
    @inline(__always)
    private static func scatterRow(_ g: PoolGeometry, _ task: Int, codes: UnsafePointer<UInt8>, keep: UInt8,
                                   outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                                   rowSum: UnsafeMutablePointer<Float>?) {
        let c = g.channels, p = g.pool, s = g.stride
        let n = task / g.outHeight, oh = task % g.outHeight
        let dx = inputGradient + n * g.inHeight * g.inWidth * c
        zeroUncovered(g, outputRow: oh, rows: dx)
        for ow in 0..<g.outWidth {
            let corner = (oh * s * g.inWidth + ow * s) * c
            let dy = outputGradient + (task * g.outWidth + ow) * c
            let code = codes + ow * c
            if let rowSum {
                for k in 0..<c { rowSum[k] += code[k] & keep < notPositive ? dy[k] : 0 }
            }
            for t in 0..<(p * p) {
                let dxt = dx + corner + ((t / p) * g.inWidth + t % p) * c
                let tt = UInt8(t)
                for k in 0..<c { dxt[k] = code[k] & keep == tt ? dy[k] : 0 }
            }
        }
    }

    /// Zeroes the input rows and columns of output row `oh`'s windows that no window covers
    /// (between windows when stride > pool, and past the last one).
    static func zeroUncovered(_ g: PoolGeometry, outputRow oh: Int, rows dx: UnsafeMutablePointer<Float>) {
        let c = g.channels, p = g.pool, s = g.stride, rowFloats = g.inWidth * c
        let coveredEnd = oh * s + p
        let gapEnd = oh == g.outHeight - 1 ? g.inHeight : (oh + 1) * s
        if gapEnd > coveredEnd {
            (dx + coveredEnd * rowFloats).update(repeating: 0, count: (gapEnd - coveredEnd) * rowFloats)
        }
        for ph in 0..<p {
            let row = dx + (oh * s + ph) * rowFloats
            for ow in 0..<g.outWidth {
                let end = ow * s + p
                let next = ow == g.outWidth - 1 ? g.inWidth : (ow + 1) * s
                if next > end { (row + end * c).update(repeating: 0, count: (next - end) * c) }
            }
        }
    }
}
