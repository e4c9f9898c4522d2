/// Convolutions split over the cores by images, each core running single-threaded GEMMs on
/// bands of output rows whose im2col columns stay in cache (`BandIm2col`).
///
/// Why: conv-shaped GEMMs (tens of thousands of rows, tens of columns) scale poorly inside
/// OpenBLAS, and im2col/col2im between them leave the second core idle; two independent image
/// halves keep both cores busy. The batch is always cut into the same `parts` halves and each
/// half into the same bands (also when they run one after the other), so the filter gradient's
/// partial sums, and hence the results, do not depend on how many threads ran them. The halves
/// run concurrently only when OpenBLAS is set to one thread; otherwise they run in turn and
/// OpenBLAS threads each GEMM.
public struct ParallelConv {
    let g: ConvGeometry
    /// Independent image ranges (1 or 2).
    let parts: Int
    /// Output rows (of OW pixels, across images) per band.
    let bandRows: Int
    /// Floats of scratch per part: one band's columns.
    let partScratch: Int
    /// The scratch shared by every convolution of the program.
    let scratch: SharedScratch
    /// Filter-gradient partial sums, one (KH*KW*Cin, F) per part: the result is written only
    /// after every input has been read, so a buffer plan may give it bytes of the input.
    let partials: UnsafeMutablePointer<Float>?
    /// Runs every GEMM (OpenBLAS on the CPU target, the emulated MXU on the TPU target).
    let engine: any MatmulEngine
    /// The register-blocked direct kernels (Winograd's for 3x3 windows when asked), when the
    /// plan's algorithm is `.direct` or `.winograd`, under the numerics the engine's GEMM has
    /// (`MatmulEngine.directConvolutions`). Under bfloat16 numerics a call may decline
    /// (operands whose products might be rounded); the banded GEMM path below then runs
    /// instead, so its buffers are kept.
    let direct: DirectConv?

    /// How a convolution is computed: decided by the optimizer's kernel selection and written
    /// in the IR (`ConvAlgorithm`); a `ParallelConv` runs what it is given.
    public enum Algorithm: String, Sendable {
        /// The direct kernels (stride 1, a window > 1x1), in the engine's numerics.
        case direct
        /// Winograd's F(2x2, 3x3) (3x3 window, stride 1; float32 engines only).
        case winograd
        /// Bands of im2col rows, one engine GEMM each (a 1x1 convolution: GEMMs on the input).
        case banded
    }

    /// The algorithm this convolution runs.
    public let algorithm: Algorithm

    /// Reserves scratch and partial buffers for `g`, with about `budget` floats of columns per band.
    public init(_ g: ConvGeometry, algorithm: Algorithm, budget: Int, scratch: SharedScratch, arena: Arena,
                filterGradient: Bool, engine: any MatmulEngine = BLASEngine()) {
        self.g = g
        self.engine = engine
        self.algorithm = algorithm
        switch algorithm {
        case .banded:
            direct = nil
        case .direct, .winograd:
            guard let numerics = engine.directConvolutions, DirectConv.takes(g) else {
                preconditionFailure("\(algorithm) convolution on an engine or window without direct kernels")
            }
            direct = DirectConv(g, numerics: numerics, winograd: algorithm == .winograd)
        }
        let fallback = direct == nil || direct?.numerics != .float32
        parts = g.batch >= 2 ? 2 : 1
        let rowFloats = g.outWidth * g.patchSize
        bandRows = max(1, min(budget / max(rowFloats, 1), (g.batch + parts - 1) / parts * g.outHeight))
        partScratch = g.isPointwise || !fallback ? 0 : bandRows * rowFloats
        self.scratch = scratch
        scratch.reserve(parts * partScratch)
        partials = filterGradient && fallback ? arena.floats(parts * g.weightCount) : nil
    }

    /// Global output rows (n * OH + oh) of a part's images.
    private func rows(_ part: Int) -> Range<Int> {
        let images = Parallel.split(g.batch, parts, part)
        return images.lowerBound * g.outHeight..<images.upperBound * g.outHeight
    }

    private func columns(_ part: Int) -> UnsafeMutablePointer<Float> { scratch.pointer! + part * partScratch }

    /// Runs `body(part)` for each part, concurrently when OpenBLAS runs single-threaded.
    private func eachPart(_ body: (Int) -> Void) {
        if parts > 1 && BLASInfo.threadCount == 1 {
            Parallel.perform(parts, body)
        } else {
            for p in 0..<parts { body(p) }
        }
    }

    /// Calls `body(band)` for each band of output rows of `part`, in order.
    private func eachBand(_ part: Int, _ body: (Range<Int>) -> Void) {
        let all = rows(part)
        let step = g.isPointwise ? max(all.count, 1) : bandRows
        for first in stride(from: all.lowerBound, to: all.upperBound, by: step) {
            body(first..<min(first + step, all.upperBound))
        }
    }

    /// A max pool over a convolution's output, run with the convolution (`forward(thenMaxPool:)`).
    public struct FollowingMaxPool {
        public let geometry: PoolGeometry
        /// (N, OH / stride, OW / stride, F)
        public let output: UnsafeMutablePointer<Float>
        /// The winner codes for the backward pass, when it needs them.
        public let winners: UnsafeMutablePointer<UInt8>?

        public init(_ geometry: PoolGeometry, output: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<UInt8>?) {
            self.geometry = geometry
            self.output = output
            self.winners = winners
        }
    }

    /// y (N, OH, OW, F) = activation(conv(x, W) + bias), then `pool` of y when given.
    ///
    /// The direct kernels pool each band of rows as soon as the convolution has written it, so
    /// the pool reads y from cache instead of memory (for the flowers model's second
    /// convolution, y is 141 MB at batch 32). `pool.output` must not share bytes with x, W, the
    /// bias or y: it is written while they are still read.
    public func forward(input: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        activation: EpilogueActivation, output: UnsafeMutablePointer<Float>,
                        thenMaxPool pool: FollowingMaxPool? = nil) {
        let poolRows: ((Int, Int) -> Void)? = pool.map { p in
            { n, row in
                if let oh = MaxPoolKernels.outputRow(p.geometry, completedBy: row) {
                    MaxPoolKernels.forwardRow(p.geometry, n, oh, input: output, output: p.output, winners: p.winners)
                }
            }
        }
        if let direct, direct.forward(input: input, weights: weights, bias: bias, activation: activation, output: output,
                                      afterRow: poolRows) {
            return
        }
        defer {
            if let pool { MaxPoolKernels.forward(pool.geometry, input: output, output: pool.output, winners: pool.winners) }
        }
        let f = g.filters, k = g.patchSize, ow = g.outWidth
        eachPart { part in
            eachBand(part) { band in
                let pixels = band.count * ow
                let out = output + band.lowerBound * ow * f                   // (pixels, F)
                if g.isPointwise {
                    engine.gemm(m: pixels, n: f, k: k, a: input + band.lowerBound * ow * k, b: weights, c: out)
                } else {
                    let col = columns(part)                                   // (pixels, KH*KW*Cin)
                    BandIm2col.im2col(g, input: input, rows: band, columns: col)
                    engine.gemm(m: pixels, n: f, k: k, a: col, b: weights, c: out)
                }
                Self.epilogue(out, rows: pixels, columns: f, bias: bias, activation: activation)
            }
        }
    }

    /// Whether `backwardInput` can fuse the relu backward and bias gradient of the layer before
    /// (`DirectConv.backwardInput(reluOutput:biasSums:)`): the fp32 direct kernels only.
    public var fusesReluBackward: Bool { direct?.numerics == .float32 }

    /// dX (N, H, W, Cin) = dY convolved with the flipped weights, fused with the relu
    /// backward and bias sums of the layer before (see `fusesReluBackward`).
    public func backwardInput(outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                              inputGradient: UnsafeMutablePointer<Float>, reluOutput: UnsafePointer<Float>,
                              biasSums: UnsafeMutablePointer<Double>) {
        precondition(fusesReluBackward, "no fused relu backward on this engine")
        direct!.backwardInput(outputGradient: outputGradient, weights: weights, inputGradient: inputGradient,
                              reluOutput: reluOutput, biasSums: biasSums)
    }

    /// dX (N, H, W, Cin) = col2im(dY W^T)
    public func backwardInput(outputGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                       inputGradient: UnsafeMutablePointer<Float>) {
        if let direct, direct.backwardInput(outputGradient: outputGradient, weights: weights, inputGradient: inputGradient) {
            return
        }
        let f = g.filters, k = g.patchSize, ow = g.outWidth
        let imageSize = g.inHeight * g.inWidth * g.inChannels
        eachPart { part in
            if !g.isPointwise {
                let images = Parallel.split(g.batch, parts, part)
                (inputGradient + images.lowerBound * imageSize).update(repeating: 0, count: images.count * imageSize)
            }
            eachBand(part) { band in
                let pixels = band.count * ow
                let dy = outputGradient + band.lowerBound * ow * f
                if g.isPointwise {
                    engine.gemm(m: pixels, n: k, k: f, a: dy, b: weights, transposeB: true,
                              c: inputGradient + band.lowerBound * ow * k)
                } else {
                    let col = columns(part)
                    engine.gemm(m: pixels, n: k, k: f, a: dy, b: weights, transposeB: true, c: col)
                    BandIm2col.col2imAdd(g, columns: col, rows: band, inputGradient: inputGradient)
                }
            }
        }
    }

    /// dW (KH*KW*Cin, F) = sum over bands of col^T dY: each part sums its bands in order into
    /// its own buffer, then the parts are added in order into `weightGradient`.
    public func backwardFilter(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                        weightGradient: UnsafeMutablePointer<Float>) {
        if let direct, direct.backwardFilter(input: input, outputGradient: outputGradient, weightGradient: weightGradient) {
            return
        }
        let f = g.filters, k = g.patchSize, ow = g.outWidth, count = g.weightCount
        eachPart { part in
            let dw = partials! + part * count
            var first = true
            eachBand(part) { band in
                let pixels = band.count * ow
                let a: UnsafePointer<Float>
                if g.isPointwise {
                    a = input + band.lowerBound * ow * k
                } else {
                    BandIm2col.im2col(g, input: input, rows: band, columns: columns(part))
                    a = UnsafePointer(columns(part))
                }
                engine.gemm(m: k, n: f, k: pixels, a: a, transposeA: true,
                          b: outputGradient + band.lowerBound * ow * f, c: dw, accumulate: !first)
                first = false
            }
        }
        guard let partials else { return }
        weightGradient.update(from: partials, count: count)
        for p in 1..<parts {
            let src = partials + p * count
            for i in 0..<count { weightGradient[i] += src[i] }
        }
    }

    /// values (rows, F) = activation(values + bias), single-threaded (the caller is one core).
    static func epilogue(_ values: UnsafeMutablePointer<Float>, rows: Int, columns: Int,
                         bias: UnsafePointer<Float>?, activation: EpilogueActivation) {
        if bias == nil && activation == .linear { return }
        for i in 0..<rows {
            let row = values + i * columns
            if let bias { for j in 0..<columns { row[j] += bias[j] } }
            switch activation {
            case .linear: break
            case .relu: for j in 0..<columns { row[j] = row[j] > 0 ? row[j] : 0 }
            case .sigmoid, .tanh: Epilogue.biasActivation(row, rows: 1, columns: columns, bias: nil, activation: activation)
            }
        }
    }
}
