/// Batch normalization over the channels of NHWC activations, viewed as x (M, C) with
/// M = N * H * W. Keras defaults: epsilon 1e-3, momentum 0.99. Training normalises with the
/// batch mean and biased variance and updates the moving statistics with that same biased
/// variance (Keras 3: moving = momentum * moving + (1 - momentum) * batch). Statistics are
/// summed in Float64 with a fixed chunking, so they are deterministic.
public enum BatchNorm {
    public static let defaultEpsilon: Float = 1e-3
    public static let defaultMomentum: Float = 0.99

    /// Training forward. y (M, C) = gamma * (x - mean) * invStd + beta; writes the batch mean and
    /// 1 / sqrt(var + eps) (C each) to `savedMean` / `savedInvStd` for the backward pass, and
    /// updates `movingMean` / `movingVariance` (C each) in place.
    public static func trainingForward(input: UnsafePointer<Float>, rows: Int, channels: Int,
                                       gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                       movingMean: UnsafeMutablePointer<Float>,
                                       movingVariance: UnsafeMutablePointer<Float>,
                                       savedMean: UnsafeMutablePointer<Float>,
                                       savedInvStd: UnsafeMutablePointer<Float>,
                                       output: UnsafeMutablePointer<Float>,
                                       epsilon: Float = defaultEpsilon, momentum: Float = defaultMomentum) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * max(channels, 1)) { buffer in
            let mean = buffer.baseAddress!, variance = mean + channels
            Parallel.reduceRows(rows, columns: channels, into: mean) { range, partial in
                for i in range {
                    let x = input + i * channels
                    for c in 0..<channels { partial[c] += Double(x[c]) }
                }
            }
            for c in 0..<channels { mean[c] /= Double(rows) }
            // Two passes: the centred sum of squares does not cancel the way E[x^2] - E[x]^2 does.
            Parallel.reduceRows(rows, columns: channels, into: variance) { range, partial in
                for i in range {
                    let x = input + i * channels
                    for c in 0..<channels { let d = Double(x[c]) - mean[c]; partial[c] += d * d }
                }
            }
            for c in 0..<channels {
                let v = variance[c] / Double(rows)
                savedMean[c] = Float(mean[c])
                savedInvStd[c] = Float(1 / (v + Double(epsilon)).squareRoot())
                movingMean[c] = momentum * movingMean[c] + (1 - momentum) * Float(mean[c])
                movingVariance[c] = momentum * movingVariance[c] + (1 - momentum) * Float(v)
            }
        }
        normalize(input, rows, channels, savedMean, savedInvStd, gamma, beta, output)
    }

    /// Inference forward with the moving statistics: y = gamma * (x - mean) / sqrt(var + eps) + beta,
    /// y's rows `outputStride` floats apart (a channel slice of a concat's buffer), by default C.
    public static func inferenceForward(input: UnsafePointer<Float>, rows: Int, channels: Int,
                                        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                                        movingMean: UnsafePointer<Float>, movingVariance: UnsafePointer<Float>,
                                        output: UnsafeMutablePointer<Float>, epsilon: Float = defaultEpsilon,
                                        outputStride: Int? = nil) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(channels, 1)) { inv in
            let invStd = inv.baseAddress!
            for c in 0..<channels { invStd[c] = 1 / (movingVariance[c] + epsilon).squareRoot() }
            normalize(input, rows: rows, channels: channels, gamma: gamma, beta: beta, mean: movingMean, invStd: invStd,
                      output: output, outputStride: outputStride)
        }
    }

    private static func normalize(_ input: UnsafePointer<Float>, _ rows: Int, _ channels: Int,
                                  _ mean: UnsafePointer<Float>, _ invStd: UnsafePointer<Float>,
                                  _ gamma: UnsafePointer<Float>, _ beta: UnsafePointer<Float>,
                                  _ output: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(rows, grain: max(1, 16384 / max(channels, 1))) { range in
            for i in range {
                let x = input + i * channels, y = output + i * channels
                for c in 0..<channels { y[c] = gamma[c] * (x[c] - mean[c]) * invStd[c] + beta[c] }
            }
        }
    }

    /// Training backward. With xhat = (x - mean) invStd and g = dy * gamma:
    /// dgamma = sum dy * xhat, dbeta = sum dy, dx = invStd * (g - mean(g) - xhat * mean(g * xhat)).
    /// Overwrites dx, dgamma, dbeta (C each).
    public static func backward(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                                rows: Int, channels: Int, gamma: UnsafePointer<Float>,
                                savedMean: UnsafePointer<Float>, savedInvStd: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>,
                                gammaGradient: UnsafeMutablePointer<Float>,
                                betaGradient: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * max(channels, 1)) { buffer in
            // sums[c] = (sum dy, sum dy * xhat) interleaved per channel.
            let sums = buffer.baseAddress!
            Parallel.reduceRows(rows, columns: 2 * channels, into: sums) { range, partial in
                for i in range {
                    let x = input + i * channels, dy = outputGradient + i * channels
                    for c in 0..<channels {
                        let xhat = (x[c] - savedMean[c]) * savedInvStd[c]
                        partial[2 * c] += Double(dy[c])
                        partial[2 * c + 1] += Double(dy[c] * xhat)
                    }
                }
            }
            for c in 0..<channels {
                betaGradient[c] = Float(sums[2 * c])
                gammaGradient[c] = Float(sums[2 * c + 1])
            }
        }
        let m = Float(rows)
        Parallel.forRanges(rows, grain: max(1, 16384 / max(channels, 1))) { range in
            for i in range {
                let x = input + i * channels, dy = outputGradient + i * channels, dx = inputGradient + i * channels
                for c in 0..<channels {
                    let xhat = (x[c] - savedMean[c]) * savedInvStd[c]
                    let meanG = gamma[c] * betaGradient[c] / m
                    let meanGX = gamma[c] * gammaGradient[c] / m
                    dx[c] = savedInvStd[c] * (gamma[c] * dy[c] - meanG - xhat * meanGX)
                }
            }
        }
    }
}
