import ConvnetIR
import ConvnetKernels

/// Batch normalisation's single-result ops. The IR splits batch norm into ops that each need
/// the batch moments of the same x (`batch_norm_training`, `batch_mean`, `batch_variance`,
/// `batch_norm_grad_gamma`, `batch_norm_grad_input`): the first step that reads x computes them
/// (`BatchStatistics.moments`, Float64, fixed chunking) and the others read its record, so a
/// training step makes one moments pass per layer instead of five (they were 18% of
/// squeezenet's step). The record is found by x's address, rows and channels, and dropped when
/// any instruction writes that address (`forgetMoments`), so it always describes the value
/// alive there: the same argument as the max-pool winner codes. The arithmetic is `BatchNorm`'s
/// parts (`BatchNormSteps`), which the native target's whole-op kernels also run, so the two
/// targets agree bit for bit. A normalisation may write its result as a channel view (a concat
/// operand in place) and the backward ops may read dy as one (a concat gradient's slice):
/// `ChannelViews` decides, the plan's row strides reach the kernels here.
extension ThunkBuilder {
    /// The batch moments of x (mean (C), then biased variance (C), Float64) and whether this
    /// step must compute them (the first reader since x was written) or reads another's.
    func moments(of x: UnsafeMutablePointer<Float>, rows: Int, channels: Int) -> (stats: UnsafeMutablePointer<Double>, compute: Bool) {
        let key = MomentsKey(address: UnsafeMutableRawPointer(x), rows: rows, channels: channels)
        if let stats = batchMoments[key] { return (stats, false) }
        let stats = arena.doubles(2 * channels)
        batchMoments[key] = stats
        momentsPasses += 1
        return (stats, true)
    }

    /// The sums (sum dy (C), then sum dy * xhat (C), Float64) of a batch norm's
    /// backward pass over (dy, x), which its input gradient, its gamma gradient and its beta's
    /// `bias_grad(dy)` all need: computed by the first of them, read by the others (the same
    /// record as the moments, by the addresses of dy and x).
    func gradientSums(dy: UnsafeMutablePointer<Float>, x: UnsafeMutablePointer<Float>, rows: Int,
                      channels: Int) -> (sums: UnsafeMutablePointer<Double>, compute: Bool) {
        let key = GradientSumsKey(gradient: UnsafeMutableRawPointer(dy), input: UnsafeMutableRawPointer(x),
                                  rows: rows, channels: channels)
        if let sums = batchGradientSums[key] { return (sums, false) }
        let sums = arena.doubles(2 * channels)
        batchGradientSums[key] = sums
        return (sums, true)
    }

    /// The (sum dy) half (the first C) of a recorded `gradientSums` of dy, if a batch-norm backward step
    /// recorded one: `bias_grad(dy)` of a batch norm's beta reads it.
    func recordedGradientSum(of dy: UnsafeMutablePointer<Float>, rows: Int, channels: Int) -> UnsafeMutablePointer<Double>? {
        batchGradientSums.first { $0.key.gradient == UnsafeMutableRawPointer(dy) && $0.key.rows == rows && $0.key.channels == channels }?.value
    }

    /// A batch norm's input gradient, then (fused, `FusionKind.gradient(.batchNormGradInput,
    /// ...)`) the activation gradient of the layer before with `y` its output, and that layer's
    /// bias gradient `db`: one pass writing dx, where the unfused form writes dx, then reads it
    /// back to mask it and sum it. dx = inv/N * (N g - sum g - xhat sum g xhat), g = dy * gamma,
    /// the sums being gamma times the shared `gradientSums`.
    func lowerBatchNormInputGradient(_ inst: Instruction, op: String? = nil, epsilon e: Double, dy: UnsafeMutablePointer<Float>,
                                     x xs: UnsafeMutablePointer<Float>, gamma: UnsafeMutablePointer<Float>,
                                     rows: Int, channels: Int, out: UnsafeMutablePointer<Float>,
                                     then activation: (f: ActivationFunction, y: UnsafeMutablePointer<Float>)? = nil,
                                     biasGradient db: UnsafeMutablePointer<Float>? = nil, dyStride: Int? = nil) {
        let (stats, compute) = moments(of: xs, rows: rows, channels: channels)
        let (sums, computeSums) = gradientSums(dy: dy, x: xs, rows: rows, channels: channels)
        let mean = arena.floats(channels), inv = arena.floats(channels)
        let act = activation.map { (f: Self.epilogue($0.f), y: UnsafePointer($0.y)) }
        add(inst, op: op) {
            BatchNorm.statistics(xs, rows: rows, channels: channels, epsilon: e, moments: stats, mean: mean, invStd: inv,
                                 computeMoments: compute)
            if computeSums {
                BatchNorm.gradientSums(dy, xs, rows: rows, channels: channels, mean: mean, invStd: inv, into: sums,
                                       dyStride: dyStride)
            }
            BatchNorm.inputGradient(dy, xs, gamma: gamma, rows: rows, channels: channels, mean: mean, invStd: inv,
                                    sums: sums, output: out, activation: act, biasGradient: db, dyStride: dyStride)
        }
    }

    /// Drops the moments and gradient sums recorded at addresses `inst` writes (in its results'
    /// byte ranges: a channel view's rows run to the end of its owner's row, and a record may
    /// be keyed by a view's address inside a value written whole).
    func forgetMoments(writtenBy inst: Instruction, _ c: Context) {
        guard !batchMoments.isEmpty || !batchGradientSums.isEmpty else { return }
        for d in inst.definitions {
            guard let p = c.env[d.value] else { continue }
            let channels = max(d.type.shape.last ?? 1, 1), rows = d.type.elementCount / channels
            let span = 4 * (c.strides[d.value].map { max(rows - 1, 0) * $0 + channels } ?? d.type.elementCount)
            let written = p..<(p + max(span, 1))
            batchMoments = batchMoments.filter { !written.contains($0.key.address) }
            batchGradientSums = batchGradientSums.filter { !written.contains($0.key.gradient) && !written.contains($0.key.input) }
        }
    }


    func lowerNorm(_ inst: Instruction, _ c: Context) {
        let a = inst.operands
        let out = c.f(inst.result)
        let x = c.f(a[0])
        let channels = c.shape(a[0]).last ?? 1
        let rows = c.count(a[0]) / max(channels, 1)
        guard case .norm(let op) = inst.op.family else { preconditionFailure("\(inst.op.mnemonic) is not a batch-norm op") }
        switch op {
        case .batchMean:
            let (stats, compute) = moments(of: x, rows: rows, channels: channels)
            add(inst) {
                if compute { BatchStatistics.moments(x, rows, channels, into: stats) }
                for ch in 0..<channels { out[ch] = Float(stats[ch]) }
            }
        case .batchVariance:
            let (stats, compute) = moments(of: x, rows: rows, channels: channels)
            add(inst) {
                if compute { BatchStatistics.moments(x, rows, channels, into: stats) }
                for ch in 0..<channels { out[ch] = Float(stats[channels + ch]) }
            }
        case .batchNormTraining(let e):
            let gamma = c.f(a[1]), beta = c.f(a[2]), stride = c.strides[inst.result]
            let (stats, compute) = moments(of: x, rows: rows, channels: channels)
            let mean = arena.floats(channels), inv = arena.floats(channels)
            add(inst) {
                BatchNorm.statistics(x, rows: rows, channels: channels, epsilon: e, moments: stats, mean: mean, invStd: inv,
                                     computeMoments: compute)
                BatchNorm.normalize(x, rows: rows, channels: channels, gamma: gamma, beta: beta, mean: mean, invStd: inv,
                                    output: out, outputStride: stride)
            }
        case .batchNormInference(let e):
            let gamma = c.f(a[1]), beta = c.f(a[2]), mean = c.f(a[3]), variance = c.f(a[4]), stride = c.strides[inst.result]
            add(inst) {
                BatchNorm.inferenceForward(input: x, rows: rows, channels: channels, gamma: gamma, beta: beta,
                                           movingMean: mean, movingVariance: variance, output: out,
                                           epsilon: Float(e), outputStride: stride)
            }
        case .batchNormGradGamma(let e):
            // (dy, x) -> sum dy * xhat, read from the input gradient's sums when it ran first
            let dy = c.f(a[0]), xs = c.f(a[1]), dyStride = c.strides[a[0]]
            let (stats, compute) = moments(of: xs, rows: rows, channels: channels)
            let (sums, computeSums) = gradientSums(dy: dy, x: xs, rows: rows, channels: channels)
            let mean = arena.floats(channels), inv = arena.floats(channels)
            add(inst) {
                if compute { BatchStatistics.moments(xs, rows, channels, into: stats) }
                if computeSums {
                    BatchNorm.statistics(xs, rows: rows, channels: channels, epsilon: e, moments: stats, mean: mean,
                                         invStd: inv, computeMoments: false)
                    BatchNorm.gradientSums(dy, xs, rows: rows, channels: channels, mean: mean, invStd: inv, into: sums,
                                           dyStride: dyStride)
                }
                for ch in 0..<channels { out[ch] = Float(sums[channels + ch]) }
            }
        case .batchNormGradInput(let e):
            // (dy, x, gamma) -> dx
            lowerBatchNormInputGradient(inst, epsilon: e, dy: c.f(a[0]), x: c.f(a[1]), gamma: c.f(a[2]),
                                        rows: rows, channels: channels, out: out, dyStride: c.strides[a[0]])
        }
    }
}

/// Where a batch norm's backward sums were recorded: the addresses of dy and x, as (rows, channels).
struct GradientSumsKey: Hashable {
    let gradient: UnsafeMutableRawPointer
    let input: UnsafeMutableRawPointer
    let rows: Int
    let channels: Int
}

/// Where a value's batch moments were recorded: its address and its view as (rows, channels).
struct MomentsKey: Hashable {
    let address: UnsafeMutableRawPointer
    let rows: Int
    let channels: Int
}
