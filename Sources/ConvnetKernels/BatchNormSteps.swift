/// The IR's batch-normalisation ops that reduce over the batch (`batch_norm_training`,
/// `batch_norm_grad_gamma`, `batch_norm_grad_input`), one function each: every op recomputes
/// the batch statistics it needs (as the IR splits them) with `BatchStatistics`, and sums in
/// Float64 with `Parallel`'s fixed chunking. The CPU executor and the native target's generated
/// code both call these, so the two targets reduce in the same order and agree bit for bit
/// (Adam turns a last-bit difference in a gradient into a visible one in the weights).
extension BatchNorm {
    /// Calls `body` with the batch's Float mean and 1/sqrt(variance + epsilon) of x (rows, C).
    private static func withStatistics(_ x: UnsafePointer<Float>, _ rows: Int, _ channels: Int, _ epsilon: Double,
                                       _ body: (UnsafePointer<Float>, UnsafePointer<Float>) -> Void) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * max(channels, 1)) { stats in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * max(channels, 1)) { meanInv in
                let mean = meanInv.baseAddress!, inv = mean + channels
                BatchStatistics.moments(x, rows, channels, into: stats.baseAddress!)
                BatchStatistics.meanAndInvStd(stats.baseAddress!, channels, epsilon, mean: mean, invStd: inv)
                body(mean, inv)
            }
        }
    }

    /// `batch_norm_training(x, gamma, beta)`: y (rows, C) = gamma * (x - mean) * invStd + beta
    /// with the batch's own statistics (the moving statistics are separate IR ops).
    public static func trainingNormalize(input x: UnsafePointer<Float>, rows: Int, channels: Int,
                                         gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                         epsilon: Double, output: UnsafeMutablePointer<Float>) {
        withStatistics(x, rows, channels, epsilon) { mean, inv in
            Parallel.forRanges(rows, grain: max(1, 16384 / max(channels, 1))) { range in
                for i in range {
                    let xr = x + i * channels, yr = output + i * channels
                    for ch in 0..<channels { yr[ch] = gamma[ch] * (xr[ch] - mean[ch]) * inv[ch] + beta[ch] }
                }
            }
        }
    }

    /// `batch_norm_grad_gamma(dy, x)`: dgamma (C) = sum over rows of dy * xhat.
    public static func gammaGradient(outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                                     rows: Int, channels: Int, epsilon: Double,
                                     output: UnsafeMutablePointer<Float>) {
        withStatistics(x, rows, channels, epsilon) { mean, inv in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: max(channels, 1)) { sumsBuffer in
                let sums = sumsBuffer.baseAddress!
                Parallel.reduceRows(rows, columns: channels, into: sums) { range, partial in
                    for i in range {
                        let xr = x + i * channels, d = dy + i * channels
                        for ch in 0..<channels { partial[ch] += Double(d[ch] * ((xr[ch] - mean[ch]) * inv[ch])) }
                    }
                }
                for ch in 0..<channels { output[ch] = Float(sums[ch]) }
            }
        }
    }

    /// `batch_norm_grad_input(dy, x, gamma)`: with g = dy * gamma and xhat = (x - mean) invStd,
    /// dx = invStd / N * (N g - sum g - xhat sum g xhat), N the rows.
    public static func inputGradient(outputGradient dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                                     gamma: UnsafePointer<Float>, rows: Int, channels: Int, epsilon: Double,
                                     output: UnsafeMutablePointer<Float>) {
        withStatistics(x, rows, channels, epsilon) { mean, inv in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * max(channels, 1)) { sumsBuffer in
                let sums = sumsBuffer.baseAddress!
                Parallel.reduceRows(rows, columns: 2 * channels, into: sums) { range, partial in
                    for i in range {
                        let xr = x + i * channels, d = dy + i * channels
                        for ch in 0..<channels {
                            let g = d[ch] * gamma[ch]
                            partial[2 * ch] += Double(g)
                            partial[2 * ch + 1] += Double(g * ((xr[ch] - mean[ch]) * inv[ch]))
                        }
                    }
                }
                let n = Float(rows)
                Parallel.forRanges(rows, grain: max(1, 16384 / max(channels, 1))) { range in
                    for i in range {
                        let xr = x + i * channels, d = dy + i * channels, dx = output + i * channels
                        for ch in 0..<channels {
                            let xhat = (xr[ch] - mean[ch]) * inv[ch]
                            let g = d[ch] * gamma[ch]
                            dx[ch] = inv[ch] / n * (n * g - Float(sums[2 * ch]) - xhat * Float(sums[2 * ch + 1]))
                        }
                    }
                }
            }
        }
    }
}
