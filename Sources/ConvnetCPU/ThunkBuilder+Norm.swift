import ConvnetIR
import ConvnetKernels

/// Batch normalisation's single-result ops. The IR splits batch norm into ops that each need
/// the batch moments of the same x (`batch_norm_training`, `batch_mean`, `batch_variance`,
/// `batch_norm_grad_gamma`, `batch_norm_grad_input`): the first step that reads x computes them
/// (`BatchStatistics.moments`, Float64, fixed chunking) and the others read its record, so a
/// training step makes one moments pass per layer instead of five (they were 18% of
/// squeezenet's step). The record is found by x's address, rows and channels, and dropped when
/// any instruction writes that address (`forgetMoments`), so it always describes the value
/// alive there: the same argument as the max-pool winner codes.
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

    /// Drops the moments recorded at the addresses `inst` writes (its results).
    func forgetMoments(writtenBy inst: Instruction, _ c: Context) {
        guard !batchMoments.isEmpty else { return }
        for d in inst.definitions {
            guard let p = c.env[d.value] else { continue }
            batchMoments = batchMoments.filter { $0.key.address != p }
        }
    }


    func lowerNorm(_ inst: Instruction, _ c: Context) {
        let a = inst.operands
        let out = c.f(inst.result)
        let x = c.f(a[0])
        let channels = c.shape(a[0]).last ?? 1
        let rows = c.count(a[0]) / max(channels, 1)
        switch inst.op {
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
            let gamma = c.f(a[1]), beta = c.f(a[2])
            let (stats, compute) = moments(of: x, rows: rows, channels: channels)
            let mean = arena.floats(channels), inv = arena.floats(channels)
            add(inst) {
                if compute { BatchStatistics.moments(x, rows, channels, into: stats) }
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
            let (stats, compute) = moments(of: xs, rows: rows, channels: channels)
            let sums = arena.doubles(channels)
            let mean = arena.floats(channels), inv = arena.floats(channels)
            add(inst) {
                if compute { BatchStatistics.moments(xs, rows, channels, into: stats) }
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
            let (stats, compute) = moments(of: xs, rows: rows, channels: channels)
            let sums = arena.doubles(2 * channels)
            let mean = arena.floats(channels), inv = arena.floats(channels)
            add(inst) {
                if compute { BatchStatistics.moments(xs, rows, channels, into: stats) }
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
        default:
            preconditionFailure("\(inst.op.mnemonic) is not a batch-norm op")
        }
    }
}

/// Where a value's batch moments were recorded: its address and its view as (rows, channels).
struct MomentsKey: Hashable {
    let address: UnsafeMutableRawPointer
    let rows: Int
    let channels: Int
}
