/// The row drivers of `DepthwiseConv`: for one row of work, which kernel rows meet the input,
/// which output columns have their whole window inside it (one tap list for all of them) and
/// which border columns need their own, in-range taps. The loops themselves are `DepthwiseRuns`.
extension DepthwiseConv {
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
