/// Stride-1 convolutions computed straight from the NHWC activations by register-blocked
/// AVX-512 kernels (`MicroKernels`), without im2col matrices or BLAS: forward with a fused
/// bias + activation, the input gradient (a convolution of dY with the flipped weights), and the
/// filter gradient.
///
/// Why: the flowers model's convolutions have few channels (16-130). As GEMMs they are tall
/// and thin (M = 36,864 pixels, N = 30, K = 144), the shapes OpenBLAS handles worst, and the
/// im2col copy costs as much memory traffic as the product. Here a block of up to 14 output
/// pixels x up to 64 output channels stays in registers while the window's inputs stream past
/// (measured 1.8x the banded im2col + `cblas_sgemm` on the model's second convolution).
///
/// 3x3 windows from and to at least 24 channels (float32) run by Winograd's minimal filtering
/// instead (`Winograd`): the forward pass and the input gradient by F(2x2, 3x3), the filter
/// gradient by F(3x3, 2x2); 2.25x fewer products, 1.15-1.66x faster on the flowers model's
/// wider layers.
///
/// Work is split over the cores by images (two fixed halves); the filter gradient sums each
/// half separately and adds the halves in order, so results do not depend on thread timing.
/// Buffers are allocated once, in `init`: nothing is allocated per call.
///
/// With `.bfloat16` numerics the same kernels compute what the TPU target's MXU computes for
/// the lowered convolution (see `Numerics`); the CPU target uses `.float32`.
public final class DirectConv: @unchecked Sendable {
    /// How products are formed and summed.
    public enum Numerics: Sendable, Equatable {
        /// float32 operands; each output one fused multiply-add chain, in the kernels' order.
        case float32
        /// The emulated MXU's arithmetic on the lowered convolution (im2col + matmul, + col2im
        /// for the input gradient): operands rounded to bfloat16, each matmul output one float32
        /// chain in k order from zero. The forward chain runs over the taps in (kh, kw, c)
        /// order, im2col's column order. The input gradient forms each tap's product over the
        /// filters as its own chain and adds the taps in the order col2im adds them. The filter
        /// gradient is one matmul pass per output row (its pixels in order), the passes added in
        /// row order. Padding taps, which im2col fills with zeros, are skipped: adding a zero
        /// product changes nothing but the sign of an all-zero sum. The kernels fuse multiply
        /// and add, which rounds like the MXU's multiply-then-add exactly when every product is
        /// exact in float32; each call checks that from the operands' magnitude ranges and
        /// returns false (computing nothing) when it cannot be sure.
        case bfloat16
    }

    public let geometry: ConvGeometry
    public let numerics: Numerics
    let forwardWindow: SlidingWindow
    let backwardWindow: SlidingWindow
    /// Independent image ranges (1 or 2).
    let parts: Int
    /// (KH, KW, Cin, Fp): the weights with output channels padded to whole vectors.
    let packedWeights: UnsafeMutablePointer<Float>
    /// (KH, KW, F, Cinp): flipped and transposed for the input gradient.
    let packedTransposed: UnsafeMutablePointer<Float>
    /// Per part: one block of accumulators (largest R x max(Fp, Cinp)).
    let blocks: UnsafeMutablePointer<Float>
    let blockFloats: Int
    /// Per part: the input window of one block of pixels at the left or right border, with
    /// zeros for the padding columns (KH rows x (largest R + KW - 1) pixels x channels), so
    /// border pixels run in whole blocks like the others.
    let edgeWindows: UnsafeMutablePointer<Float>
    let edgeFloats: Int
    /// The bias padded with zeros to Fp, so the epilogue loads whole vectors.
    let paddedBias: UnsafeMutablePointer<Float>
    /// Per part: one output row's masked input-gradient sums (Cinp floats), flushed to
    /// `maskSums` (Cinp doubles) after each row.
    let rowSums: UnsafeMutablePointer<Float>
    let maskSums: UnsafeMutablePointer<Double>
    /// Per part: filter-gradient sums (KH*KW*Cin, Fp).
    let partials: UnsafeMutablePointer<Float>
    /// Per part, when F is not a whole number of vectors: one band of dY copied with pixels
    /// Fp floats apart (bandRows, OW, Fp), so the filter gradient's vector loads of dY are
    /// aligned to cache lines (with F = 30, two in three loads of the packed rows would straddle
    /// two lines) and none reads past the buffer.
    let bandCopy: UnsafeMutablePointer<Float>?
    /// Output rows per band of the filter gradient (a band of dY stays in L2).
    let bandRows: Int
    /// bfloat16 numerics only: rounded copies of x (N, H, W, Cin) and dY (N, OH, OW, F) (+16
    /// floats, so vector loads of the last pixel stay inside), and per part a second block for
    /// one tap's or one row's partial sums.
    let roundedInput: UnsafeMutablePointer<Float>?
    let roundedGradient: UnsafeMutablePointer<Float>?
    let partialBlocks: UnsafeMutablePointer<Float>?
    /// float32 3x3 windows with enough channels to gain (`Winograd.gains`): the forward pass
    /// and the input gradient by Winograd's F(2x2, 3x3), each with its transformed weights
    /// (16, C, Fp); per part the scratch of the larger and one tile's 4 output pixels.
    let forwardWinograd: (plan: Winograd, weights: UnsafeMutablePointer<Float>)?
    let backwardWinograd: (plan: Winograd, weights: UnsafeMutablePointer<Float>)?
    let winogradScratchFloats: Int
    let winogradScratch: UnsafeMutablePointer<Float>?
    let tilePixels: UnsafeMutablePointer<Float>?
    /// Per part: magnitude ranges found while rounding.
    private var ranges: [(smallest: Float, largest: Float)]

    /// Whether the direct kernels handle `g` (stride 1; any kernel size and padding).
    public static func supports(_ g: ConvGeometry) -> Bool { g.strideHeight == 1 && g.strideWidth == 1 }

    /// Whether the direct kernels are the right algorithm for `g`: stride 1 with a window
    /// (a 1x1 stride-1 convolution is a plain GEMM already). Asked by the optimizer's kernel
    /// selection, which writes the answer into the IR.
    public static func takes(_ g: ConvGeometry) -> Bool { supports(g) && !g.isPointwise }

    /// Whether Winograd's F(2x2, 3x3) fits the forward window of `g` and beats the direct
    /// kernels on it (`Winograd.applies`, `Winograd.gains`); the filter gradient follows the
    /// forward window.
    public static func winogradGains(forward g: ConvGeometry) -> Bool {
        supports(g) && Winograd.applies(.forward(g)) && Winograd.gains(.forward(g))
    }

    /// The same for the input gradient's window (dY convolved with the flipped weights).
    public static func winogradGains(inputGradient g: ConvGeometry) -> Bool {
        supports(g) && Winograd.applies(.inputGradient(g)) && Winograd.gains(.inputGradient(g))
    }

    /// Whether Winograd's tiles fit both windows of `g` (a 3x3 window, stride 1, Keras padding).
    public static func winogradApplies(_ g: ConvGeometry) -> Bool {
        supports(g) && Winograd.applies(.forward(g)) && Winograd.applies(.inputGradient(g))
    }

    /// - Parameter winograd: run the 3x3 windows by Winograd's minimal filtering (float32
    ///   numerics; `winogradApplies(g)` must hold). Decided by the optimizer's kernel
    ///   selection, not here.
    public init(_ g: ConvGeometry, numerics: Numerics = .float32, winograd: Bool = false) {
        precondition(!winograd || (numerics == .float32 && Self.winogradApplies(g)), "Winograd needs a 3x3 stride-1 window and float32")
        precondition(Self.supports(g), "DirectConv needs stride 1")
        geometry = g
        self.numerics = numerics
        forwardWindow = .forward(g)
        backwardWindow = .inputGradient(g)
        parts = g.batch >= 2 ? 2 : 1
        let fp = forwardWindow.paddedOutChannels, cp = backwardWindow.paddedOutChannels
        let taps = g.kernelHeight * g.kernelWidth
        packedWeights = Self.alignedFloats(taps * g.inChannels * fp)
        packedWeights.initialize(repeating: 0, count: taps * g.inChannels * fp)
        packedTransposed = Self.alignedFloats(taps * g.filters * cp)
        packedTransposed.initialize(repeating: 0, count: taps * g.filters * cp)
        blockFloats = MicroKernels.largestRows * max(fp, cp)
        blocks = Self.alignedFloats(parts * blockFloats)
        paddedBias = Self.alignedFloats(fp)
        edgeFloats = g.kernelHeight * (MicroKernels.largestRows + g.kernelWidth - 1) * max(g.inChannels, g.filters)
        edgeWindows = Self.alignedFloats(parts * edgeFloats)
        rowSums = Self.alignedFloats(parts * cp)
        maskSums = .allocate(capacity: parts * cp)
        paddedBias.initialize(repeating: 0, count: fp)
        partials = Self.alignedFloats(parts * taps * g.inChannels * fp)
        bandRows = max(1, min(g.outHeight, 128 * 1024 / max(1, g.outWidth * g.filters * 4)))
        bandCopy = fp == g.filters ? nil : Self.alignedFloats(parts * bandRows * g.outWidth * fp)
        let mxu = numerics == .bfloat16
        roundedInput = mxu ? Self.alignedFloats(g.inputCount + 16) : nil
        // dY rounded: F floats per pixel for the input gradient, Fp for the filter gradient.
        roundedGradient = mxu ? Self.alignedFloats(g.outputCount / g.filters * fp + 16) : nil
        partialBlocks = mxu ? Self.alignedFloats(parts * blockFloats) : nil
        roundedInput?.initialize(repeating: 0, count: g.inputCount + 16)
        ranges = Array(repeating: (0, 0), count: parts)
        func plan(_ s: SlidingWindow) -> (plan: Winograd, weights: UnsafeMutablePointer<Float>)? {
            guard winograd, Winograd.applies(s) else { return nil }
            let w = Winograd(s)
            return (w, DirectConv.alignedFloats(w.weightFloats))
        }
        forwardWinograd = plan(forwardWindow)
        backwardWinograd = plan(backwardWindow)
        let plans = [forwardWinograd?.plan, backwardWinograd?.plan].compactMap { $0 }
        winogradScratchFloats = max(plans.map(\.partFloats).max() ?? 0, forwardWinograd?.plan.filterPartFloats ?? 0)
        winogradScratch = plans.isEmpty ? nil : DirectConv.alignedFloats(parts * winogradScratchFloats)
        tilePixels = plans.isEmpty ? nil : DirectConv.alignedFloats(parts * 4 * max(fp, cp))
    }

    deinit {
        packedWeights.deallocate()
        packedTransposed.deallocate()
        blocks.deallocate()
        paddedBias.deallocate()
        edgeWindows.deallocate()
        rowSums.deallocate()
        maskSums.deallocate()
        partials.deallocate()
        bandCopy?.deallocate()
        roundedInput?.deallocate()
        roundedGradient?.deallocate()
        partialBlocks?.deallocate()
        forwardWinograd?.weights.deallocate()
        backwardWinograd?.weights.deallocate()
        winogradScratch?.deallocate()
        tilePixels?.deallocate()
    }

    /// `count` zeroed floats aligned to a cache line. The kernels load whole vectors from packed
    /// rows Fp floats apart; with the start on a line every such load is one line, not two (in
    /// an A/B of the flowers model's first three convolutions at batch 32, this and `bandCopy`
    /// made the filter gradients 1.05-1.11x, the input gradients 1.07-1.09x faster).
    static func alignedFloats(_ count: Int) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 16))
        p.initialize(repeating: 0, count: max(count, 16))
        return p
    }

    /// bfloat16 numerics: rounds `source` (per image `imageFloats`) into `copy` on both cores;
    /// the magnitude range of all of it.
    private func roundImages(_ source: UnsafePointer<Float>, into copy: UnsafeMutablePointer<Float>,
                             imageFloats: Int) -> (smallest: Float, largest: Float) {
        eachPart { part, images in
            ranges[part] = BFloat16Rounding.round(source + images.lowerBound * imageFloats,
                                                  into: copy + images.lowerBound * imageFloats,
                                                  count: images.count * imageFloats)
        }
        return combinedRange()
    }

    /// The parts' magnitude ranges (`ranges`) as one.
    private func combinedRange() -> (smallest: Float, largest: Float) {
        var range = BFloat16Rounding.MagnitudeRange()
        for r in ranges { range.merge(r) }
        return range.pair
    }

    /// bfloat16 numerics: rounds dY (N, OH, OW, `channels`) into `copy` with pixels `stride`
    /// floats apart (the padding lanes stay zero), on both cores: the filter gradient's vector
    /// loads of dY then never straddle cache lines. The magnitude range of all of it.
    private func roundPixels(_ source: UnsafePointer<Float>, into copy: UnsafeMutablePointer<Float>,
                             channels: Int, stride: Int) -> (smallest: Float, largest: Float) {
        let pixels = forwardWindow.outHeight * forwardWindow.outWidth
        eachPart { part, images in
            let first = images.lowerBound * pixels
            ranges[part] = BFloat16Rounding.round(pixels: images.count * pixels, channels: channels, source + first * channels,
                                                  sourceStride: channels, into: copy + first * stride, stride: stride)
        }
        return combinedRange()
    }

    /// Packs `rows` rows of `width` floats into rows of `stride` through `source(row, column)
    /// -> offset`; under bfloat16 numerics rounded, returning their magnitude range.
    private func pack(_ weights: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>,
                      rows: Int, width: Int, stride: Int, source: (Int, Int) -> Int) -> (smallest: Float, largest: Float) {
        guard numerics == .bfloat16 else {
            for i in 0..<rows { for j in 0..<width { packed[i * stride + j] = weights[source(i, j)] } }
            return (0, 0)                                      // not needed for float32
        }
        var range = BFloat16Rounding.MagnitudeRange()
        for i in 0..<rows {
            for j in 0..<width {
                let v = BFloat16Rounding.round(weights[source(i, j)])
                packed[i * stride + j] = v
                range.see(v)
            }
        }
        return range.pair
    }

    private func eachPart(_ body: (Int, Range<Int>) -> Void) {
        if parts == 1 { body(0, 0..<geometry.batch); return }
        Parallel.perform(parts) { body($0, Parallel.split(geometry.batch, parts, $0)) }
    }

    // MARK: - Forward and input gradient

    /// y (N, OH, OW, F) = activation(conv(x, W) + bias). False (nothing written) only under
    /// bfloat16 numerics when products might not be exact.
    ///
    /// `afterRow(n, oh)` is called once output row `oh` of image `n` is written (rows of an image
    /// in order, on the thread that computes the image), for work that reads the row while it is
    /// still in cache: the max pool after a convolution (`ParallelConv`).
    @discardableResult
    public func forward(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        activation: EpilogueActivation, output: UnsafeMutablePointer<Float>,
                        afterRow: ((_ image: Int, _ row: Int) -> Void)? = nil) -> Bool {
        let g = geometry, fp = forwardWindow.paddedOutChannels, f = g.filters
        let w = pack(weights, into: packedWeights, rows: g.kernelHeight * g.kernelWidth * g.inChannels, width: f,
                     stride: fp) { i, j in i * f + j }
        if let bias { paddedBias.update(from: bias, count: f) }
        var x = input
        if let roundedInput {
            let r = roundImages(input, into: roundedInput, imageFloats: g.inHeight * g.inWidth * g.inChannels)
            guard BFloat16Rounding.productsAreExact(r, w) else { return false }
            x = UnsafePointer(roundedInput)
        }
        if let forwardWinograd {
            winogradPass(forwardWinograd, packed: packedWeights, input: x, output: output,
                         bias: bias == nil ? nil : UnsafePointer(paddedBias), activation: activation, afterRow: afterRow)
            return true
        }
        eachPart { part, images in
            slide(forwardWindow, input: x, packed: packedWeights, images: images, block: blocks + part * blockFloats,
                  edge: edgeWindows + part * edgeFloats, tapBlock: partialBlocks.map { $0 + part * blockFloats }, output: output,
                  bias: bias == nil ? nil : UnsafePointer(paddedBias), activation: activation, afterRow: afterRow)
        }
        return true
    }

    /// dX (N, H, W, Cin), overwritten. False as for `forward`.
    ///
    /// With `reluOutput` (float32 numerics only), the backward pass of the relu that produced
    /// the convolution's input is fused in: dX is masked by `reluOutput > 0` as it is stored,
    /// and `biasSums` (Cin doubles, overwritten) receives its sums over pixels, the bias
    /// gradient of the layer before. That saves two passes over dX (for the flowers model's
    /// second convolution, a 75 MB tensor at batch 32).
    @discardableResult
    public func backwardInput(outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                              inputGradient: UnsafeMutablePointer<Float>,
                              reluOutput: UnsafePointer<Float>? = nil, biasSums: UnsafeMutablePointer<Double>? = nil) -> Bool {
        precondition(reluOutput == nil || (numerics == .float32 && biasSums != nil), "the relu mask needs float32 and sums")
        let g = geometry, cp = backwardWindow.paddedOutChannels
        let kh = g.kernelHeight, kw = g.kernelWidth, c = g.inChannels, f = g.filters
        // W'[tap, fi, ci] = W[flipped tap, ci, fi], the flipped tap being (KH-1-i, KW-1-j).
        let w = pack(weights, into: packedTransposed, rows: kh * kw * f, width: c, stride: cp) { row, ci in
            let tap = row / f, fi = row % f
            return ((kh * kw - 1 - tap) * c + ci) * f + fi
        }
        var dy = outputGradient
        if let roundedGradient {
            let r = roundImages(outputGradient, into: roundedGradient, imageFloats: g.outHeight * g.outWidth * f)
            guard BFloat16Rounding.productsAreExact(r, w) else { return false }
            dy = UnsafePointer(roundedGradient)
        }
        if let backwardWinograd {
            winogradPass(backwardWinograd, packed: packedTransposed, input: dy, output: inputGradient, bias: nil,
                         activation: .linear, mask: reluOutput)
        } else {
            eachPart { part, images in
                slide(backwardWindow, input: dy, packed: packedTransposed, images: images, block: blocks + part * blockFloats,
                      edge: edgeWindows + part * edgeFloats, tapBlock: partialBlocks.map { $0 + part * blockFloats }, tapByTap: numerics == .bfloat16,
                      output: inputGradient, bias: nil, activation: .linear,
                      mask: reluOutput, sums: reluOutput == nil ? nil : (rowSums + part * cp, maskSums + part * cp))
            }
        }
        if let biasSums {
            for k in 0..<c { biasSums[k] = maskSums[k] }
            for p in 1..<parts { for k in 0..<c { biasSums[k] += maskSums[p * cp + k] } }
        }
        return true
    }

    /// `slide` by Winograd's F(2x2, 3x3): the weights transformed, then each part's images,
    /// every output pixel finished as `slide` finishes it (bias + activation, or the relu mask
    /// with its sums into `rowSums`, flushed to `maskSums` after every two rows).
    private func winogradPass(_ w: (plan: Winograd, weights: UnsafeMutablePointer<Float>), packed: UnsafePointer<Float>,
                              input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              bias: UnsafePointer<Float>?, activation: EpilogueActivation,
                              mask: UnsafePointer<Float>? = nil, afterRow: ((Int, Int) -> Void)? = nil) {
        let s = w.plan.s, f = s.outChannels, fp = s.paddedOutChannels
        w.plan.transformWeights(packed, into: w.weights)
        eachPart { part, images in
            let sums = rowSums + part * fp, total = maskSums + part * fp
            if mask != nil {
                sums.update(repeating: 0, count: fp)
                total.update(repeating: 0, count: fp)
            }
            w.plan.run(input: input, u: w.weights, images: images, scratch: winogradScratch! + part * winogradScratchFloats,
                       pixel: tilePixels! + part * 4 * fp,
                       finish: { values, n, oh, ow in
                           let at = (n * s.outHeight + oh) * s.outWidth * f                     // row (OW, F)
                           let limit = output + at + s.outWidth * f
                           if let mask {
                               Self.finishMasked(values, stride: fp, pixels: 1, channels: f, mask: mask + at + ow * f,
                                                 rowSums: sums, limit: limit, into: output + at + ow * f)
                           } else {
                               Self.finish(values, stride: fp, pixels: 1, channels: f, bias: bias, activation: activation,
                                           limit: limit, into: output + at + ow * f)
                           }
                       },
                       afterRows: { n, rows in
                           if mask != nil {
                               for k in 0..<f { total[k] += Double(sums[k]) }
                               sums.update(repeating: 0, count: fp)
                           }
                           if let afterRow { for oh in rows { afterRow(n, oh) } }
                       })
        }
    }

    /// out (images, OH, OW, F) = act(window over `input` with `packed` (KH, KW, C, Fp) + bias).
    /// With `tapByTap` (bfloat16 input gradient) each tap's sum over the channels is its own
    /// chain, formed in `tapBlock` and then added to the block, taps in window order.
    private func slide(_ s: SlidingWindow, input: UnsafePointer<Float>, packed: UnsafePointer<Float>,
                       images: Range<Int>, block: UnsafeMutablePointer<Float>, edge: UnsafeMutablePointer<Float>,
                       tapBlock: UnsafeMutablePointer<Float>?,
                       tapByTap: Bool = false, output: UnsafeMutablePointer<Float>,
                       bias: UnsafePointer<Float>?, activation: EpilogueActivation,
                       mask: UnsafePointer<Float>? = nil,
                       sums: (row: UnsafeMutablePointer<Float>, total: UnsafeMutablePointer<Double>)? = nil,
                       afterRow: ((Int, Int) -> Void)? = nil) {
        let c = s.inChannels, f = s.outChannels, fp = s.paddedOutChannels
        let interior = s.interiorColumns
        // The sliding kernels (three-tap rows, float32) go up to 2 vectors; there, groups of at
        // most 2 (more passes over the input, but a third of the broadcasts).
        let slides = s.kernelWidth == 3 && numerics == .float32 && !tapByTap
        // With tapByTap, three-tap rows slide too, each tap its own chain (`MicroKernels.c1v1`).
        let chains = s.kernelWidth == 3 && tapByTap
        let groupList = VectorGroups.split(fp / 16, largest: slides || chains ? 2 : 4)
        let widest = groupList.map(\.count).max()!
        // Blocks of pixels across the whole row; with tapByTap across the interior only (the
        // border pixels then go one by one, their padding taps skipped).
        let runList = VectorGroups.rowRuns(tapByTap ? interior.count : s.outWidth, vectors: widest,
                                           largest: chains ? MicroKernels.chainedRows(vectors: widest) : nil)
        // The loops below read these through raw buffers: no allocation or reference counting
        // per row or per block.
        groupList.withUnsafeBufferPointer { groups in
        runList.withUnsafeBufferPointer { runs in
        let limit = output + images.upperBound * s.outHeight * s.outWidth * f    // end of this part's images
        if let sums {
            sums.row.update(repeating: 0, count: fp)
            sums.total.update(repeating: 0, count: fp)
        }
        for n in images {
            for oh in 0..<s.outHeight {
                defer {
                    if let sums {
                        for k in 0..<f { sums.total[k] += Double(sums.row[k]) }
                        sums.row.update(repeating: 0, count: fp)
                    }
                    afterRow?(n, oh)
                }
                let rows = s.kernelRows(oh)
                let outRow = output + (n * s.outHeight + oh) * s.outWidth * f            // (OW, F)
                // Offset of the input pixel read by tap (rows.lowerBound, 0) of output column 0
                // (it may lie in the padding; only in-range pixels are ever read).
                let inBase = ((n * s.inHeight + oh - s.padTop + rows.lowerBound) * s.inWidth - s.padLeft) * c
                /// `count` pixels from column `ow`, reading kernel columns `columns`. When the
                /// window is whole, its columns and channels are one contiguous run of KW*C
                /// floats in both the input and the packed weights: one loop instead of two.
                func run(_ ow: Int, _ count: Int, _ columns: Range<Int>) {
                    let whole = columns.count == s.kernelWidth
                    if tapByTap, let tapBlock {
                        for group in groups {
                            let total = block + group.first * 16
                            if chains && whole {
                                let call = MicroKernelCall(
                                    a: input + (inBase + ow * c), aRow: c, aStep: 1, aInner: c, aOuter: s.inWidth * c,
                                    b: packed + (rows.lowerBound * s.kernelWidth * c) * fp + group.first * 16,
                                    bStep: fp, bInner: c * fp, bOuter: s.kernelWidth * c * fp, length: c, innerCount: 3,
                                    outerCount: rows.count, out: total, outStride: fp, accumulate: false)
                                MicroKernels.runChained(rows: count, vectors: group.count, call)
                                continue
                            }
                            for r in 0..<count { (total + r * fp).update(repeating: 0, count: group.count * 16) }
                            for kh in rows {
                                for kw in columns {
                                    let call = MicroKernelCall(
                                        a: input + (inBase + (kh - rows.lowerBound) * s.inWidth * c + (ow + kw) * c),
                                        aRow: c, aStep: 1, aInner: 0, aOuter: 0,
                                        b: packed + ((kh * s.kernelWidth + kw) * c) * fp + group.first * 16,
                                        bStep: fp, bInner: 0, bOuter: 0, length: c, innerCount: 1, outerCount: 1,
                                        out: tapBlock + group.first * 16, outStride: fp, accumulate: false)
                                    MicroKernels.run(rows: count, vectors: group.count, call)
                                    Self.add(tapBlock + group.first * 16, into: total, rows: count, stride: fp,
                                             vectors: group.count)
                                }
                            }
                        }
                        Self.finish(block, stride: fp, pixels: count, channels: f, bias: bias, activation: activation,
                                    limit: limit, into: outRow + ow * f)
                        return
                    }
                    // A block touching the border reads a copy of its window with zeros in the
                    // padding: the padding taps then add zero products, as im2col's zeros do.
                    let bordered = ow < interior.lowerBound || ow + count > interior.upperBound
                    let span = count + s.kernelWidth - 1
                    if bordered {
                        for i in 0..<rows.count {
                            let source = input + (n * s.inHeight + oh - s.padTop + rows.lowerBound + i) * s.inWidth * c  // (W, C)
                            for q in 0..<span {
                                let w = ow - s.padLeft + q, dst = edge + (i * span + q) * c
                                if w >= 0 && w < s.inWidth { dst.update(from: source + w * c, count: c) }
                                else { dst.update(repeating: 0, count: c) }
                            }
                        }
                    }
                    for group in groups {
                        // Three whole columns under float32 numerics: the sliding kernels, one
                        // broadcast per input pixel for all three taps. (bfloat16 keeps im2col's
                        // (kh, kw, c) order, the one contiguous run of KW*C.)
                        let sliding = whole && slides && MicroKernels.slides(vectors: group.count)
                        let columnByColumn = sliding || !whole
                        let call = bordered ? MicroKernelCall(
                            a: UnsafePointer(edge), aRow: c, aStep: 1, aInner: c, aOuter: span * c,
                            b: packed + (rows.lowerBound * s.kernelWidth * c) * fp + group.first * 16,
                            bStep: fp, bInner: c * fp, bOuter: s.kernelWidth * c * fp,
                            length: sliding ? c : s.kernelWidth * c, innerCount: sliding ? 3 : 1, outerCount: rows.count,
                            out: block + group.first * 16, outStride: fp, accumulate: false) : MicroKernelCall(
                            a: input + (inBase + (ow + columns.lowerBound) * c), aRow: c, aStep: 1, aInner: c, aOuter: s.inWidth * c,
                            b: packed + ((rows.lowerBound * s.kernelWidth + columns.lowerBound) * c) * fp + group.first * 16,
                            bStep: fp, bInner: c * fp, bOuter: s.kernelWidth * c * fp,
                            length: columnByColumn ? c : s.kernelWidth * c, innerCount: columnByColumn ? columns.count : 1,
                            outerCount: rows.count, out: block + group.first * 16, outStride: fp, accumulate: false)
                        if sliding {
                            MicroKernels.runSliding(rows: count, vectors: group.count, call)
                        } else {
                            MicroKernels.run(rows: count, vectors: group.count, call)
                        }
                    }
                    if let mask, let sums {
                        let at = (n * s.outHeight + oh) * s.outWidth * f + ow * f
                        Self.finishMasked(block, stride: fp, pixels: count, channels: f, mask: mask + at, rowSums: sums.row,
                                          limit: limit, into: outRow + ow * f)
                    } else {
                        Self.finish(block, stride: fp, pixels: count, channels: f, bias: bias, activation: activation,
                                    limit: limit, into: outRow + ow * f)
                    }
                }
                let full = 0..<s.kernelWidth
                if tapByTap {
                    for ow in 0..<interior.lowerBound { run(ow, 1, s.kernelColumns(ow)) }
                }
                var ow = tapByTap ? interior.lowerBound : 0
                for count in runs {
                    run(ow, count, full)
                    ow += count
                }
                if tapByTap {
                    for ow in interior.upperBound..<s.outWidth { run(ow, 1, s.kernelColumns(ow)) }
                }
            }
        }
        }
        }
    }

    /// total[r] += part[r] for `rows` rows of `vectors` vectors (stride `stride`).
    @inline(__always)
    private static func add(_ part: UnsafeMutablePointer<Float>, into total: UnsafeMutablePointer<Float>,
                            rows: Int, stride: Int, vectors: Int) {
        for r in 0..<rows {
            for v in 0..<vectors {
                let at = r * stride + v * 16
                MicroKernels.store(MicroKernels.load(total + at) + MicroKernels.load(part + at), total + at)
            }
        }
    }

    /// Copies `pixels` rows of accumulators (stride `stride`, a multiple of 16) to the output
    /// (`channels` each), adding the bias (padded to whole vectors) and applying the activation.
    ///
    /// Whole vectors are stored even where the last one runs past the pixel's channels: the
    /// spilled lanes land on the following pixels, which are written afterwards (pixels go in
    /// order along a row, rows and images follow one another). Near the end of a thread's
    /// images (`limit`) a store could reach another thread's pixels or past the buffer; there
    /// the last channels are stored one by one.
    @inline(__always)
    private static func finish(_ block: UnsafeMutablePointer<Float>, stride: Int, pixels: Int, channels: Int,
                               bias: UnsafePointer<Float>?, activation: EpilogueActivation,
                               limit: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let whole = (channels + 15) / 16, exact = channels / 16
        for r in 0..<pixels {
            let src = block + r * stride, dst = out + r * channels
            let careful = dst + whole * 16 > limit
            for v in 0..<(careful ? exact : whole) {
                var y = MicroKernels.load(src + v * 16)
                if let bias { y += MicroKernels.load(bias + v * 16) }
                if activation == .relu { y.replace(with: 0, where: y .< 0) }
                MicroKernels.store(y, dst + v * 16)
            }
            if careful {
                for j in (exact * 16)..<channels {
                    var y = src[j]
                    if let bias { y += bias[j] }
                    dst[j] = activation == .relu ? max(y, 0) : y
                }
            }
            if activation == .sigmoid || activation == .tanh { Epilogue.apply(activation, dst, channels) }
        }
    }

    /// `finish` for the input gradient with the relu backward fused: each value is kept where
    /// `mask` (the relu's output, laid out like the output) is > 0, else 0, and added to
    /// `rowSums` (whole vectors; lanes past `channels` only ever add zeros, since the padded
    /// weights make those accumulators 0).
    @inline(__always)
    private static func finishMasked(_ block: UnsafeMutablePointer<Float>, stride: Int, pixels: Int, channels: Int,
                                     mask: UnsafePointer<Float>, rowSums: UnsafeMutablePointer<Float>,
                                     limit: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        let whole = (channels + 15) / 16, exact = channels / 16
        for r in 0..<pixels {
            let src = block + r * stride, dst = out + r * channels, m = mask + r * channels
            let careful = dst + whole * 16 > limit
            for v in 0..<(careful ? exact : whole) {
                var y = MicroKernels.load(src + v * 16)
                y.replace(with: 0, where: MicroKernels.load(m + v * 16) .<= 0)
                MicroKernels.store(y, dst + v * 16)
                MicroKernels.store(MicroKernels.load(rowSums + v * 16) + y, rowSums + v * 16)
            }
            if careful {
                for j in (exact * 16)..<channels {
                    let y = m[j] > 0 ? src[j] : 0
                    dst[j] = y
                    rowSums[j] += y
                }
            }
        }
    }

    // MARK: - Filter gradient

    /// dW (KH, KW, Cin, F), overwritten: sum over images and pixels of input x dY. False as for
    /// `forward`.
    @discardableResult
    public func backwardFilter(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                               weightGradient: UnsafeMutablePointer<Float>) -> Bool {
        let g = geometry, s = forwardWindow, fp = s.paddedOutChannels, f = g.filters
        let rowsOfWeights = g.kernelHeight * g.kernelWidth * g.inChannels
        if let roundedInput, let roundedGradient, let partialBlocks {
            let rx = roundImages(input, into: roundedInput, imageFloats: g.inHeight * g.inWidth * g.inChannels)
            let rdy = roundPixels(outputGradient, into: roundedGradient, channels: f, stride: fp)
            guard BFloat16Rounding.productsAreExact(rx, rdy) else { return false }
            eachPart { part, images in
                let sums = partials + part * rowsOfWeights * fp
                sums.update(repeating: 0, count: rowsOfWeights * fp)
                for n in images {
                    for oh in 0..<s.outHeight {
                        accumulateFilterRow(n, oh, input: roundedInput, dy: roundedGradient, into: sums,
                                            rowBlock: partialBlocks + part * blockFloats)
                    }
                }
            }
        } else if let forwardWinograd {
            eachPart { part, images in
                forwardWinograd.plan.filterGradient(input: input, outputGradient: outputGradient, images: images,
                                                    scratch: winogradScratch! + part * winogradScratchFloats,
                                                    into: partials + part * rowsOfWeights * fp)
            }
        } else {
            eachPart { part, images in
                let sums = partials + part * rowsOfWeights * fp
                sums.update(repeating: 0, count: rowsOfWeights * fp)
                for n in images {
                    accumulateFilterImage(n, part: part, input: input, outputGradient: outputGradient, into: sums)
                }
            }
        }
        for i in 0..<rowsOfWeights { (weightGradient + i * f).update(from: partials + i * fp, count: f) }
        for p in 1..<parts {
            let src = partials + p * rowsOfWeights * fp
            for i in 0..<rowsOfWeights {
                let d = weightGradient + i * f, s = src + i * fp
                for j in 0..<f { d[j] += s[j] }
            }
        }
        return true
    }

    /// float32 numerics: sums += image `n`'s contribution, band by band of output rows.
    private func accumulateFilterImage(_ n: Int, part: Int, input: UnsafePointer<Float>,
                                       outputGradient: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>) {
        let s = forwardWindow, fp = s.paddedOutChannels, f = s.outChannels
        for band in stride(from: 0, to: s.outHeight, by: bandRows) {
            let end = min(band + bandRows, s.outHeight)
            let dy = outputGradient + (n * s.outHeight + band) * s.outWidth * f          // (rows, OW, F)
            if let bandCopy {
                let copy = bandCopy + part * bandRows * s.outWidth * fp                    // (rows, OW, Fp)
                for p in 0..<((end - band) * s.outWidth) { (copy + p * fp).update(from: dy + p * f, count: f) }
                accumulateFilter(n, band..<end, input: input, dy: copy, dyStride: fp, into: sums)
            } else {
                accumulateFilter(n, band..<end, input: input, dy: dy, dyStride: f, into: sums)
            }
        }
    }

    /// bfloat16 numerics: one MXU pass per output row. For every tap, the row's pixels (in
    /// order) give each weight's partial sum as one chain in `rowBlock`, then added to `sums`.
    /// `dy` is (N, OH, OW, Fp) (`roundPixels`).
    private func accumulateFilterRow(_ n: Int, _ oh: Int, input: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                     into sums: UnsafeMutablePointer<Float>, rowBlock: UnsafeMutablePointer<Float>) {
        let s = forwardWindow, c = s.inChannels, fp = s.paddedOutChannels
        let groups = VectorGroups.split(fp / 16)
        for kh in 0..<s.kernelHeight where s.outputRows(kernelRow: kh).contains(oh) {
            for kw in 0..<s.kernelWidth {
                let columns = s.outputColumns(kernelColumn: kw)
                if columns.isEmpty { continue }
                let x = ((n * s.inHeight + oh - s.padTop + kh) * s.inWidth + columns.lowerBound - s.padLeft + kw) * c
                let d = ((n * s.outHeight + oh) * s.outWidth + columns.lowerBound) * fp
                for group in groups {
                    var c0 = 0
                    for count in VectorGroups.rowRuns(c, vectors: group.count) {
                        let call = MicroKernelCall(
                            a: input + (x + c0), aRow: 1, aStep: c, aInner: 0, aOuter: 0,
                            b: dy + (d + group.first * 16), bStep: fp, bInner: 0, bOuter: 0,
                            length: columns.count, innerCount: 1, outerCount: 1,
                            out: rowBlock, outStride: fp, accumulate: false)
                        MicroKernels.run(rows: count, vectors: group.count, call)
                        Self.add(rowBlock, into: sums + ((kh * s.kernelWidth + kw) * c + c0) * fp + group.first * 16,
                                 rows: count, stride: fp, vectors: group.count)
                        c0 += count
                    }
                }
            }
        }
    }

    /// sums (KH*KW*Cin, Fp) += input x dY over output rows `rows` of image `n`. `dy` points at
    /// pixel (rows.lowerBound, 0) of the image's dY, `dyStride` floats per pixel (F, or Fp for a
    /// padded copy).
    ///
    /// For the interior columns (where every kernel column lands inside the input) the kernel
    /// row's KW*Cin weights read one contiguous run of input floats, so they are blocked together
    /// (a 3-channel first layer gets blocks of 9 instead of 3); the few border columns go tap by tap.
    private func accumulateFilter(_ n: Int, _ rows: Range<Int>, input: UnsafePointer<Float>,
                                  dy: UnsafePointer<Float>, dyStride: Int, into sums: UnsafeMutablePointer<Float>) {
        if rows.isEmpty { return }
        let s = forwardWindow, c = s.inChannels, fp = s.paddedOutChannels
        let interior = s.interiorColumns
        // Three-column windows slide over the interior: each input pixel's broadcast feeds all
        // three kernel columns (`MicroKernels.f1v1`). Only up to 2 vectors of filters: wider
        // layers would need several passes over the input, and measured slower that way (0.85x
        // on the flowers model's 60-filter layer) than the plain kernels' 4-vector blocks.
        let slides = s.kernelWidth == 3 && interior.count >= 2 && fp <= 32
        let groups = VectorGroups.split(fp / 16)
        /// sums[(kh, kw = 0..<3, all channels)] += over output rows lo..<hi and the interior.
        func slidingBlock(_ kh: Int, _ lo: Int, _ hi: Int) {
            let x = ((n * s.inHeight + lo - s.padTop + kh) * s.inWidth + interior.lowerBound - s.padLeft) * c
            let d = ((lo - rows.lowerBound) * s.outWidth + interior.lowerBound) * dyStride
            for group in groups {
                let largest = MicroKernels.filterSlidingRows(vectors: group.count)
                let runs = (c + largest - 1) / largest
                var r0 = 0
                for run in 0..<runs {
                    let count = c / runs + (run < c % runs ? 1 : 0)
                    let call = MicroKernelCall(
                        a: input + (x + r0), aRow: 1, aStep: c, aInner: 0, aOuter: s.inWidth * c,
                        b: dy + (d + group.first * 16), bStep: dyStride, bInner: 0, bOuter: s.outWidth * dyStride,
                        length: interior.count, innerCount: 1, outerCount: hi - lo,
                        out: sums + ((kh * s.kernelWidth) * c + r0) * fp + group.first * 16,
                        outStride: fp, accumulate: true, outTap: c * fp)
                    MicroKernels.runFilterSliding(rows: count, vectors: group.count, call)
                    r0 += count
                }
            }
        }
        /// sums[(kh, kw, c0 ..< c0+width)] += over output rows lo..<hi and `columns`.
        func block(_ kh: Int, _ kw: Int, _ lo: Int, _ hi: Int, _ columns: Range<Int>, width: Int) {
            let x = ((n * s.inHeight + lo - s.padTop + kh) * s.inWidth + columns.lowerBound - s.padLeft + kw) * c
            let d = ((lo - rows.lowerBound) * s.outWidth + columns.lowerBound) * dyStride
            for group in groups {
                var r0 = 0
                for count in VectorGroups.rowRuns(width, vectors: group.count) {
                    let call = MicroKernelCall(
                        a: input + (x + r0), aRow: 1, aStep: c, aInner: 0, aOuter: s.inWidth * c,
                        b: dy + (d + group.first * 16), bStep: dyStride, bInner: 0, bOuter: s.outWidth * dyStride,
                        length: columns.count, innerCount: 1, outerCount: hi - lo,
                        out: sums + ((kh * s.kernelWidth + kw) * c + r0) * fp + group.first * 16,
                        outStride: fp, accumulate: true)
                    MicroKernels.run(rows: count, vectors: group.count, call)
                    r0 += count
                }
            }
        }
        for kh in 0..<s.kernelHeight {
            let valid = s.outputRows(kernelRow: kh)
            let lo = max(valid.lowerBound, rows.lowerBound), hi = min(valid.upperBound, rows.upperBound)
            if lo >= hi { continue }
            if slides {
                slidingBlock(kh, lo, hi)
            } else if !interior.isEmpty {
                block(kh, 0, lo, hi, interior, width: s.kernelWidth * c)
            }
            for kw in 0..<s.kernelWidth {
                let columns = s.outputColumns(kernelColumn: kw)
                if interior.isEmpty {
                    if !columns.isEmpty { block(kh, kw, lo, hi, columns, width: c) }
                    continue
                }
                let left = columns.lowerBound..<min(columns.upperBound, interior.lowerBound)
                let right = max(columns.lowerBound, interior.upperBound)..<columns.upperBound
                if !left.isEmpty { block(kh, kw, lo, hi, left, width: c) }
                if !right.isEmpty { block(kh, kw, lo, hi, right, width: c) }
            }
        }
    }
}
