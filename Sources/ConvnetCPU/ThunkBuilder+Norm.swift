import ConvnetIR
import ConvnetKernels

/// Batch normalisation's single-result ops. Each recomputes the batch statistics it needs
/// (as the IR splits them), in Float64 with a fixed chunking: the reducing ops are
/// `BatchNorm`'s IR-op kernels (`BatchNormSteps`), which the native target calls too.
extension ThunkBuilder {
    func lowerNorm(_ inst: Instruction, _ c: Context) {
        let a = inst.operands
        let out = c.f(inst.result)
        let x = c.f(a[0])
        let channels = c.shape(a[0]).last ?? 1
        let rows = c.count(a[0]) / max(channels, 1)
        guard case .norm(let op) = inst.op.family else { preconditionFailure("\(inst.op.mnemonic) is not a batch-norm op") }
        switch op {
        case .batchMean:
            let mean = arena.doubles(channels)
            add(inst) {
                BatchStatistics.mean(x, rows, channels, into: mean)
                for ch in 0..<channels { out[ch] = Float(mean[ch]) }
            }
        case .batchVariance:
            let stats = arena.doubles(2 * channels)
            add(inst) {
                BatchStatistics.moments(x, rows, channels, into: stats)
                for ch in 0..<channels { out[ch] = Float(stats[channels + ch]) }
            }
        case .batchNormTraining(let e):
            let gamma = c.f(a[1]), beta = c.f(a[2])
            add(inst) {
                BatchNorm.trainingNormalize(input: x, rows: rows, channels: channels, gamma: gamma, beta: beta,
                                            epsilon: e, output: out)
            }
        case .batchNormInference(let e):
            let gamma = c.f(a[1]), beta = c.f(a[2]), mean = c.f(a[3]), variance = c.f(a[4])
            add(inst) {
                BatchNorm.inferenceForward(input: x, rows: rows, channels: channels, gamma: gamma, beta: beta,
                                           movingMean: mean, movingVariance: variance, output: out,
                                           epsilon: Float(e))
            }
        case .batchNormGradGamma(let e):
            // (dy, x) -> sum dy * xhat
            let dy = c.f(a[0]), xs = c.f(a[1])
            add(inst) { BatchNorm.gammaGradient(outputGradient: dy, input: xs, rows: rows, channels: channels, epsilon: e, output: out) }
        case .batchNormGradInput(let e):
            // (dy, x, gamma) -> dx = inv/N * (N g - sum g - xhat sum g xhat), g = dy * gamma
            let dy = c.f(a[0]), xs = c.f(a[1]), gamma = c.f(a[2])
            add(inst) {
                BatchNorm.inputGradient(outputGradient: dy, input: xs, gamma: gamma, rows: rows, channels: channels,
                                        epsilon: e, output: out)
            }
        }
    }
}
