/// Depthwise convolution (Keras `DepthwiseConv2D`) on the CPU: forward with a fused bias and
/// activation, the input gradient, the filter gradient and the bias gradient.
/// x (N, H, W, Cin), kernel (KH, KW, Cin, M) = (KH, KW, Cin*M), bias (Cin*M),
/// y (N, OH, OW, Cin*M); see `DepthwiseGeometry`.
///
/// Why not im2col + GEMM: each output channel reads one input channel, so as a GEMM it would be
/// Cin products of (pixels, KH*KW) x (KH*KW, M), far too thin for BLAS. The work is instead
/// vectorised over channels (`DepthwiseRuns`): 16 channels of 8 neighbouring pixels per step,
/// the window's taps streaming past; the filter gradient goes pixel-major, 4 pixels per step.
/// With M > 1 each input row is first copied with its channels repeated M times
/// (`DepthwiseRuns.expand`), so every multiplier runs the same loops.
///
/// The layer is memory-bound (18 flops per 8 bytes read and written at 3x3): on the Xception-like
/// shape (B=32, 48x48x128) the forward pass measured 1-2x the time of a memcpy of x in the same run
/// (see `DepthwiseConvBenchmark`).
///
/// Work is split over the cores by rows of the batch (image, row), so one image also uses both
/// cores. Forward and input gradient write disjoint rows; the filter gradient sums a fixed
/// chunking of the rows (`Parallel.reduceRows`) in Float64, so two runs give identical bits.
/// Scratch (tap lists, the expanded rows when M > 1, the filter gradient's per-chunk sums) is
/// taken once per worker per call with `withUnsafeTemporaryAllocation`; nothing is allocated
/// inside the loops.
public enum DepthwiseConv {
    /// y (N, OH, OW, Cin*M) = activation(dwconv(x, kernel) + bias). `bias` (Cin*M) may be nil.
    public static func forward(_ g: DepthwiseGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>? = nil, activation: EpilogueActivation = .linear,
                               output: UnsafeMutablePointer<Float>) {
        let rows = g.batch * g.outHeight
        let expandedFloats = g.multiplier == 1 ? 0 : g.kernelHeight * g.inWidth * g.outChannels
        Parallel.forRanges(rows, grain: grain(macsPerRow: g.outWidth * g.outChannels * g.taps)) { range in
            withScratch(g, floats: expandedFloats) { taps, rows, expanded in
                for row in range {
                    forwardRow(g, image: row / g.outHeight, row: row % g.outHeight, input: input, weights: weights,
                               bias: bias, activation: activation, output: output,
                               taps: &taps, rows: &rows, expanded: expanded)
                }
            }
        }
    }

    /// dX (N, H, W, Cin), overwritten, from dY (N, OH, OW, Cin*M) (already through the
    /// activation's backward): each input pixel gathers the output gradients whose windows
    /// cover it, times the weights that linked them, summed over the multiplier.
    public static func backwardInput(_ g: DepthwiseGeometry, outputGradient: UnsafePointer<Float>,
                                     weights: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        let rows = g.batch * g.inHeight
        let expandedFloats = g.multiplier == 1 ? 0 : g.inWidth * g.outChannels
        let macsPerRow = g.inWidth * g.outChannels * g.taps / max(1, g.strideHeight * g.strideWidth)
        Parallel.forRanges(rows, grain: grain(macsPerRow: macsPerRow)) { range in
            withScratch(g, floats: expandedFloats) { taps, rows, expanded in
                for row in range {
                    inputGradientRow(g, image: row / g.inHeight, row: row % g.inHeight, outputGradient: outputGradient,
                                     weights: weights, inputGradient: inputGradient,
                                     taps: &taps, rows: &rows, expanded: expanded)
                }
            }
        }
    }

    /// dKernel (KH, KW, Cin, M) = sums over the batch and the output pixels of dY times the
    /// input each tap read; added to `weightGradient` when `accumulate`.
    public static func backwardFilter(_ g: DepthwiseGeometry, input: UnsafePointer<Float>,
                                      outputGradient: UnsafePointer<Float>,
                                      weightGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        let columns = g.weightCount, co = g.outChannels
        let expandedFloats = g.multiplier == 1 ? 0 : g.kernelHeight * g.inWidth * co
        withUnsafeTemporaryAllocation(of: Double.self, capacity: columns) { total in
            let sums = total.baseAddress!
            Parallel.reduceRows(g.batch * g.outHeight, columns: columns, into: sums) { range, partial in
                withScratch(g, floats: columns + expandedFloats) { taps, rows, scratch in
                    let rowSums = scratch, expanded = rowSums + columns
                    rowSums.initialize(repeating: 0, count: columns)
                    // Float sums over at most 16 rows at a time, then into the Float64 partial.
                    func flush() {
                        for j in 0..<columns { partial[j] += Double(rowSums[j]) }
                        rowSums.update(repeating: 0, count: columns)
                    }
                    var pending = 0
                    for row in range {
                        filterGradientRow(g, image: row / g.outHeight, row: row % g.outHeight, input: input,
                                          outputGradient: outputGradient, sums: rowSums,
                                          taps: &taps, rows: &rows, expanded: expanded)
                        pending += 1
                        if pending == 16 { flush(); pending = 0 }
                    }
                    if pending > 0 { flush() }
                }
            }
            for j in 0..<columns {
                weightGradient[j] = Float(sums[j] + (accumulate ? Double(weightGradient[j]) : 0))
            }
        }
    }

    /// dBias (Cin*M) = sums of dY over the batch and the output pixels (Float64, deterministic);
    /// added to `biasGradient` when `accumulate`.
    public static func backwardBias(_ g: DepthwiseGeometry, outputGradient: UnsafePointer<Float>,
                                    biasGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        Epilogue.biasGradient(outputGradient, rows: g.outputCount / g.outChannels, columns: g.outChannels,
                              into: biasGradient, accumulate: accumulate)
    }
}
