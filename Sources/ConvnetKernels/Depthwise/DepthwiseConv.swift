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

    // MARK: - Rows

    /// Rows per worker's range such that a range holds enough work to be worth a thread.
    static func grain(macsPerRow: Int) -> Int { max(1, 65_536 / max(macsPerRow, 1)) }

    /// The rows of the kernel that meet the input (or the output gradient) for one row of work:
    /// for slot r < count, kernel row `kernel[r]` and the offset `start[r]` of the first pixel
    /// of the row it reads.
    struct WindowRows {
        let start: UnsafeMutablePointer<Int>
        let kernel: UnsafeMutablePointer<Int>
        var count = 0

        mutating func append(start s: Int, kernel k: Int) {
            start[count] = s
            kernel[count] = k
            count += 1
        }
    }

    /// Per-worker scratch: the tap list (KH*KW entries), the window rows (KH), and `floats`
    /// floats for expanded rows.
    static func withScratch(_ g: DepthwiseGeometry, floats: Int,
                            _ body: (inout DepthwiseRuns.Taps, inout WindowRows, UnsafeMutablePointer<Float>) -> Void) {
        let taps = g.taps, kh = g.kernelHeight
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * taps + 2 * kh) { ints in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: max(floats, 1)) { floatsBuffer in
                let base = ints.baseAddress!
                var list = DepthwiseRuns.Taps(input: base, weight: base + taps)
                var rows = WindowRows(start: base + 2 * taps, kernel: base + 2 * taps + kh)
                body(&list, &rows, floatsBuffer.baseAddress!)
            }
        }
    }

    /// a / b rounded down and up, for any sign of a (b > 0).
    @inline(__always) static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    @inline(__always) static func ceilDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }

    /// The input rows the window of output row (n, oh) covers, into `rows`, and the pointer
    /// their `start` offsets are from: the input itself, or with M > 1 the scratch, where each
    /// row is first expanded to Cin*M channels. Pixels are Cin*M floats apart either way.
    static func windowRows(_ g: DepthwiseGeometry, image n: Int, row oh: Int, input: UnsafePointer<Float>,
                           rows: inout WindowRows, expanded: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        let h = g.inHeight, w = g.inWidth, c = g.inChannels, co = g.outChannels
        rows.count = 0
        for kh in 0..<g.kernelHeight {
            let ih = oh * g.strideHeight - g.padTop + kh
            guard ih >= 0 && ih < h else { continue }
            let rowOffset = (n * h + ih) * w * c
            if g.multiplier == 1 {
                rows.append(start: rowOffset, kernel: kh)
            } else {
                let slot = rows.count * w * co
                DepthwiseRuns.expand(input + rowOffset, pixels: w, channels: c, multiplier: g.multiplier,
                                     into: expanded + slot)
                rows.append(start: slot, kernel: kh)
            }
        }
        return g.multiplier == 1 ? input : UnsafePointer(expanded)
    }

    /// Output columns whose window lies inside the input, where every tap is valid:
    /// ow * S - padLeft >= 0 and ow * S - padLeft + KW - 1 <= W - 1 (empty when none).
    /// Their taps are offsets from the window's first input pixel.
    static func interiorColumns(_ g: DepthwiseGeometry) -> Range<Int> {
        let s = g.strideWidth
        let lo = ceilDiv(g.padLeft, s), hi = min(g.outWidth, floorDiv(g.inWidth - g.kernelWidth + g.padLeft, s) + 1)
        return hi > lo ? lo..<hi : 0..<0
    }

    /// Every tap of the window rows, as offsets from an interior column's first input pixel.
    static func interiorTaps(_ g: DepthwiseGeometry, rows: WindowRows, taps: inout DepthwiseRuns.Taps) {
        let co = g.outChannels, kw = g.kernelWidth
        taps.count = 0
        for r in 0..<rows.count {
            for k in 0..<kw { taps.append(input: rows.start[r] + k * co, weight: (rows.kernel[r] * kw + k) * co) }
        }
    }

    /// The taps of border column `ow` that fall inside the input, as offsets from the rows' source.
    static func borderTaps(_ g: DepthwiseGeometry, column ow: Int, rows: WindowRows, taps: inout DepthwiseRuns.Taps) {
        let co = g.outChannels, kw = g.kernelWidth
        taps.count = 0
        for r in 0..<rows.count {
            for k in 0..<kw {
                let iw = ow * g.strideWidth - g.padLeft + k
                guard iw >= 0 && iw < g.inWidth else { continue }
                taps.append(input: rows.start[r] + iw * co, weight: (rows.kernel[r] * kw + k) * co)
            }
        }
    }

    /// One output row (n, oh): every pixel's window, bias and activation.
    static func forwardRow(_ g: DepthwiseGeometry, image n: Int, row oh: Int, input: UnsafePointer<Float>,
                           weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: EpilogueActivation,
                           output: UnsafeMutablePointer<Float>, taps: inout DepthwiseRuns.Taps,
                           rows: inout WindowRows, expanded: UnsafeMutablePointer<Float>) {
        let co = g.outChannels, s = g.strideWidth, relu = activation == .relu
        let source = windowRows(g, image: n, row: oh, input: input, rows: &rows, expanded: expanded)
        let out = output + (n * g.outHeight + oh) * g.outWidth * co
        let interior = interiorColumns(g), lo = interior.lowerBound
        if !interior.isEmpty {
            interiorTaps(g, rows: rows, taps: &taps)
            DepthwiseRuns.pixels(interior.count, src: source + (lo * s - g.padLeft) * co, srcStep: s * co,
                                 dst: out + lo * co, dstStep: co, taps: taps,
                                 weights: weights, initial: bias, relu: relu, channels: co)
        }
        // Border pixels: only the taps inside the input.
        for ow in 0..<g.outWidth where !interior.contains(ow) {
            borderTaps(g, column: ow, rows: rows, taps: &taps)
            DepthwiseRuns.pixels(1, src: source, srcStep: 0, dst: out + ow * co, dstStep: co, taps: taps,
                                 weights: weights, initial: bias, relu: relu, channels: co)
        }
        switch activation {
        case .linear, .relu: break
        case .sigmoid, .tanh: Epilogue.apply(activation, out, g.outWidth * co)
        }
    }

    /// One input row (n, ih) of dX: each pixel gathers dY over the taps that read it. Tap
    /// (kh, kw) reads input (ih, iw) from output (oh, ow) when ih + padTop - kh = oh * SH and
    /// iw + padLeft - kw = ow * SW. Along the row, pixels with the same (iw + padLeft) mod SW
    /// use the same kernel columns, and consecutive ones (SW apart) consecutive output pixels:
    /// each such class runs as one strided run.
    static func inputGradientRow(_ g: DepthwiseGeometry, image n: Int, row ih: Int, outputGradient: UnsafePointer<Float>,
                                 weights: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                                 taps: inout DepthwiseRuns.Taps, rows: inout WindowRows,
                                 expanded: UnsafeMutablePointer<Float>) {
        let w = g.inWidth, c = g.inChannels, co = g.outChannels, kw = g.kernelWidth
        let s = g.strideWidth, ow = g.outWidth, pad = g.padLeft
        rows.count = 0
        for kh in 0..<g.kernelHeight {
            let t = ih + g.padTop - kh
            guard t >= 0 && t % g.strideHeight == 0 && t / g.strideHeight < g.outHeight else { continue }
            rows.append(start: (n * g.outHeight + t / g.strideHeight) * ow * co, kernel: kh)
        }
        let dxRow = inputGradient + (n * g.inHeight + ih) * w * c
        // With M > 1 the row is gathered with output channels, then summed over the multiplier.
        let dst = g.multiplier == 1 ? dxRow : expanded
        for phase in 0..<s {
            // Pixels iw = first + j * S with (iw + pad) mod S == phase, read by kw = phase, phase + S, ...
            let first = ((phase - pad) % s + s) % s
            guard first < w else { continue }
            let count = (w - 1 - first) / s + 1
            // For pixel j and kernel column k of the class, ow = (first + pad - k) / S + j.
            var interior = 0..<0
            if phase < kw {
                let kLast = phase + (kw - 1 - phase) / s * s
                let lo = max(0, -((first + pad - kLast) / s)), hi = min(count, ow - (first + pad - phase) / s)
                if hi > lo { interior = lo..<hi }
            }
            if !interior.isEmpty {
                taps.count = 0
                for r in 0..<rows.count {
                    for k in stride(from: phase, to: kw, by: s) {
                        taps.append(input: rows.start[r] + (first + pad - k) / s * co, weight: (rows.kernel[r] * kw + k) * co)
                    }
                }
                DepthwiseRuns.pixels(interior.count, src: outputGradient + interior.lowerBound * co, srcStep: co,
                                     dst: dst + (first + interior.lowerBound * s) * co, dstStep: s * co, taps: taps,
                                     weights: weights, initial: nil, relu: false, channels: co)
            }
            for j in 0..<count where !interior.contains(j) {
                taps.count = 0
                for r in 0..<rows.count {
                    for k in stride(from: phase, to: kw, by: s) {
                        let o = (first + pad - k) / s + j       // exact: first + pad - k is a multiple of S
                        guard o >= 0 && o < ow else { continue }
                        taps.append(input: rows.start[r] + o * co, weight: (rows.kernel[r] * kw + k) * co)
                    }
                }
                DepthwiseRuns.pixels(1, src: outputGradient, srcStep: 0, dst: dst + (first + j * s) * co, dstStep: co,
                                     taps: taps, weights: weights, initial: nil, relu: false, channels: co)
            }
        }
        if g.multiplier > 1 {
            DepthwiseRuns.contract(expanded, pixels: w, channels: c, multiplier: g.multiplier, into: dxRow)
        }
    }

    /// Adds one output row (n, oh)'s filter gradient to `sums` (KH, KW, Cin*M): each output
    /// pixel's dY times the input its taps read. The same windows and tap lists as `forwardRow`.
    static func filterGradientRow(_ g: DepthwiseGeometry, image n: Int, row oh: Int, input: UnsafePointer<Float>,
                                  outputGradient: UnsafePointer<Float>, sums: UnsafeMutablePointer<Float>,
                                  taps: inout DepthwiseRuns.Taps, rows: inout WindowRows,
                                  expanded: UnsafeMutablePointer<Float>) {
        let co = g.outChannels, s = g.strideWidth
        let source = windowRows(g, image: n, row: oh, input: input, rows: &rows, expanded: expanded)
        let dyRow = outputGradient + (n * g.outHeight + oh) * g.outWidth * co
        let interior = interiorColumns(g)
        if !interior.isEmpty {
            interiorTaps(g, rows: rows, taps: &taps)
            DepthwiseRuns.filterPixels(interior.count, src: source + (interior.lowerBound * s - g.padLeft) * co,
                                       srcStep: s * co, dy: dyRow + interior.lowerBound * co, dyStep: co, taps: taps,
                                       sums: sums, channels: co)
        }
        for ow in 0..<g.outWidth where !interior.contains(ow) {
            borderTaps(g, column: ow, rows: rows, taps: &taps)
            DepthwiseRuns.filterPixels(1, src: source, srcStep: 0, dy: dyRow + ow * co, dyStep: co, taps: taps,
                                       sums: sums, channels: co)
        }
    }
}
