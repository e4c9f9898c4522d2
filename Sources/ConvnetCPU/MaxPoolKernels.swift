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
        let c = g.channels, p = g.pool, s = g.stride
        let rowFloats = g.inWidth * c
        Parallel.forRanges(g.batch * g.outHeight, grain: 4) { range in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: c) { bestBuffer in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: c) { tapBuffer in
                    let best = bestBuffer.baseAddress!, tap = tapBuffer.baseAddress!
                    for task in range {
                        let n = task / g.outHeight, oh = task % g.outHeight
                        let x = input + n * g.inHeight * rowFloats
                        let dx = inputGradient + n * g.inHeight * rowFloats
                        // Rows no window of this output row covers: between windows, and below the last.
                        let coveredEnd = oh * s + p
                        let gapEnd = oh == g.outHeight - 1 ? g.inHeight : (oh + 1) * s
                        if gapEnd > coveredEnd {
                            (dx + coveredEnd * rowFloats).update(repeating: 0, count: (gapEnd - coveredEnd) * rowFloats)
                        }
                        for ph in 0..<p {
                            let row = dx + (oh * s + ph) * rowFloats
                            // Columns no window covers.
                            for ow in 0..<g.outWidth {
                                let end = ow * s + p
                                let next = ow == g.outWidth - 1 ? g.inWidth : (ow + 1) * s
                                if next > end { (row + end * c).update(repeating: 0, count: (next - end) * c) }
                            }
                        }
                        for ow in 0..<g.outWidth {
                            let corner = (oh * s * g.inWidth + ow * s) * c
                            let dy = outputGradient + (task * g.outWidth + ow) * c
                            best.update(from: x + corner, count: c)
                            tap.update(repeating: 0, count: c)
                            for t in 1..<(p * p) {
                                let xt = x + corner + ((t / p) * g.inWidth + t % p) * c
                                let tt = Int32(t)
                                for k in 0..<c {
                                    let better = xt[k] > best[k]
                                    best[k] = better ? xt[k] : best[k]
                                    tap[k] = better ? tt : tap[k]
                                }
                            }
                            for t in 0..<(p * p) {
                                let dxt = dx + corner + ((t / p) * g.inWidth + t % p) * c
                                let tt = Int32(t)
                                for k in 0..<c { dxt[k] = tap[k] == tt ? dy[k] : 0 }
                            }
                        }
                    }
                }
            }
        }
    }
}
