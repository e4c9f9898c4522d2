import ConvnetKernels

/// Max pooling with non-overlapping windows (stride >= size, the Keras default), written so
/// the loops over channels vectorise: each output pixel keeps a running maximum and the index
/// of the tap that holds it for all channels at once.
///
/// Why here and not in `Pooling`: its backward pass searches each channel's window with a
/// strided inner loop and scatters into a zeroed dX, which profiled at 5-10% of a flowers
/// training step. Here backward writes every tap of a window exactly once (dy at the first
/// maximum, 0 elsewhere), so nothing is zeroed twice and nothing is scattered. Ties go to the
/// first maximum in (row, column) order, as in the reference.
public enum MaxPoolKernels {
    /// Whether these kernels apply (windows do not overlap).
    public static func applies(_ g: PoolGeometry) -> Bool { g.stride >= g.pool }

    /// y (N, OH, OW, C) = max over each window of x (N, H, W, C).
    public static func forward(_ g: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let c = g.channels
        Parallel.forRanges(g.batch * g.outHeight, grain: 4) { range in
            for task in range {
                let n = task / g.outHeight, oh = task % g.outHeight
                let image = input + n * g.inHeight * g.inWidth * c
                for ow in 0..<g.outWidth {
                    let y = output + (task * g.outWidth + ow) * c
                    let corner = image + (oh * g.stride * g.inWidth + ow * g.stride) * c
                    y.update(from: corner, count: c)
                    for ph in 0..<g.pool {
                        for pw in 0..<g.pool where ph != 0 || pw != 0 {
                            let x = corner + (ph * g.inWidth + pw) * c
                            for k in 0..<c { y[k] = x[k] > y[k] ? x[k] : y[k] }
                        }
                    }
                }
            }
        }
    }

    /// dX (N, H, W, C): each window's dy at its first maximum, 0 elsewhere (overwritten).
    public static func backward(_ g: PoolGeometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>) {
        let c = g.channels, p = g.pool, rowFloats = g.inWidth * c
        Parallel.forRanges(g.batch * g.outHeight, grain: 4) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * c) { scratch in
                let best = scratch.baseAddress!, won = best + c
                for task in range {
                    let n = task / g.outHeight, oh = task % g.outHeight
                    let x = input + n * g.inHeight * rowFloats
                    let dx = inputGradient + n * g.inHeight * rowFloats
                    zeroUncovered(g, outputRow: oh, rows: dx)
                    for ow in 0..<g.outWidth {
                        let corner = (oh * g.stride * g.inWidth + ow * g.stride) * c
                        let dy = outputGradient + (task * g.outWidth + ow) * c
                        findWinners(g, x + corner, best: best, won: won)
                        for t in 0..<(p * p) {
                            let dxt = dx + corner + ((t / p) * g.inWidth + t % p) * c
                            let tt = Float(t)
                            for k in 0..<c { dxt[k] = won[k] == tt ? dy[k] : 0 }
                        }
                    }
                }
            }
        }
    }

    /// For one window whose top-left input pixel is `corner`: `best` (C) = the maximum of each
    /// channel, `won` (C) = the tap t (row-major in the window, as a Float) that first holds it.
    @inline(__always)
    static func findWinners(_ g: PoolGeometry, _ corner: UnsafePointer<Float>,
                            best: UnsafeMutablePointer<Float>, won: UnsafeMutablePointer<Float>) {
        let c = g.channels, p = g.pool
        best.update(from: corner, count: c)
        won.update(repeating: 0, count: c)
        for t in 1..<(p * p) {
            let xt = corner + ((t / p) * g.inWidth + t % p) * c
            let tt = Float(t)
            for k in 0..<c {
                let better = xt[k] > best[k]
                best[k] = better ? xt[k] : best[k]
                won[k] = better ? tt : won[k]
            }
        }
    }

    /// The backward pass of relu -> max pool, and the bias gradient of the layer before, in
    /// one pass: dX (N, H, W, C) = `backward`'s result masked by x > 0 (x, the pool's input, is
    /// the relu's output), and `biasSums` (C, Float64, overwritten) = dX summed over pixels.
    ///
    /// Why: the unfused form writes dX, then reads it back with x to mask it and sum it, two
    /// more passes over the layer's largest tensor (141 MB for the flowers model's second
    /// convolution at batch 32). Every window's sum is its winning tap's masked dy, so the
    /// bias sums are taken over the output rows, in `Parallel.reduceRows`' fixed chunks.
    public static func backwardRelu(_ g: PoolGeometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                    inputGradient: UnsafeMutablePointer<Float>, biasSums: UnsafeMutablePointer<Double>) {
        let c = g.channels, p = g.pool, s = g.stride
        let rowFloats = g.inWidth * c
        Parallel.reduceRows(g.batch * g.outHeight, columns: c, into: biasSums) { range, partial in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * c) { scratch in
                let best = scratch.baseAddress!, won = best + c, rowSum = best + 2 * c
                for task in range {
                    let n = task / g.outHeight, oh = task % g.outHeight
                    let x = input + n * g.inHeight * rowFloats
                    let dx = inputGradient + n * g.inHeight * rowFloats
                    zeroUncovered(g, outputRow: oh, rows: dx)
                    rowSum.update(repeating: 0, count: c)
                    for ow in 0..<g.outWidth {
                        let corner = (oh * s * g.inWidth + ow * s) * c
                        let dy = outputGradient + (task * g.outWidth + ow) * c
                        findWinners(g, x + corner, best: best, won: won)
                        // relu' is 0 where the relu output (the window's maximum) is <= 0.
                        for k in 0..<c { rowSum[k] += best[k] > 0 ? dy[k] : 0 }
                        for t in 0..<(p * p) {
                            let dxt = dx + corner + ((t / p) * g.inWidth + t % p) * c
                            let tt = Float(t)
                            for k in 0..<c { dxt[k] = won[k] == tt && best[k] > 0 ? dy[k] : 0 }
                        }
                    }
                    for k in 0..<c { partial[k] += Double(rowSum[k]) }
                }
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
