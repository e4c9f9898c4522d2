import ConvnetIR
import ConvnetKernels

/// Batch normalisation's single-result ops. Each recomputes the batch statistics it needs
/// (as the IR splits them), in Float64 with a fixed chunking, into per-op buffers allocated
/// at compile time.
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
            let stats = arena.doubles(2 * channels)
            let mean = arena.floats(channels), inv = arena.floats(channels)
            add(inst) {
                BatchStatistics.moments(x, rows, channels, into: stats)
                BatchStatistics.meanAndInvStd(stats, channels, e, mean: mean, invStd: inv)
                Parallel.forRanges(rows, grain: max(1, 16384 / max(channels, 1))) { range in
                    for i in range {
                        let xr = x + i * channels, yr = out + i * channels
                        for ch in 0..<channels { yr[ch] = gamma[ch] * (xr[ch] - mean[ch]) * inv[ch] + beta[ch] }
                    }
                }
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
            let stats = arena.doubles(2 * channels), sums = arena.doubles(channels)
            let mean = arena.floats(channels), inv = arena.floats(channels)
            add(inst) {
                BatchStatistics.moments(xs, rows, channels, into: stats)
                BatchStatistics.meanAndInvStd(stats, channels, e, mean: mean, invStd: inv)
                Parallel.reduceRows(rows, columns: channels, into: sums) { range, partial in
                    for i in range {
                        let xr = xs + i * channels, d = dy + i * channels
                        for ch in 0..<channels { partial[ch] += Double(d[ch] * ((xr[ch] - mean[ch]) * inv[ch])) }
                    }
                }
                for ch in 0..<channels { out[ch] = Float(sums[ch]) }
            }
        case .batchNormGradInput(let e):
            // (dy, x, gamma) -> dx = inv/N * (N g - sum g - xhat sum g xhat), g = dy * gamma
            let dy = c.f(a[0]), xs = c.f(a[1]), gamma = c.f(a[2])
            let stats = arena.doubles(2 * channels), sums = arena.doubles(2 * channels)
            let mean = arena.floats(channels), inv = arena.floats(channels)
            add(inst) {
                BatchStatistics.moments(xs, rows, channels, into: stats)
                BatchStatistics.meanAndInvStd(stats, channels, e, mean: mean, invStd: inv)
                Parallel.reduceRows(rows, columns: 2 * channels, into: sums) { range, partial in
                    for i in range {
                        let xr = xs + i * channels, d = dy + i * channels
                        for ch in 0..<channels {
                            let g = d[ch] * gamma[ch]
                            partial[2 * ch] += Double(g)
                            partial[2 * ch + 1] += Double(g * ((xr[ch] - mean[ch]) * inv[ch]))
                        }
                    }
                }
                let nn = Float(rows)
                Parallel.forRanges(rows, grain: max(1, 16384 / max(channels, 1))) { range in
                    for i in range {
                        let xr = xs + i * channels, d = dy + i * channels, dx = out + i * channels
                        for ch in 0..<channels {
                            let xhat = (xr[ch] - mean[ch]) * inv[ch]
                            let g = d[ch] * gamma[ch]
                            dx[ch] = inv[ch] / nn * (nn * g - Float(sums[2 * ch]) - xhat * Float(sums[2 * ch + 1]))
                        }
                    }
                }
            }
        }
    }
}
