/// Twin of `BatchNorm`: one channel at a time, statistics in the generic type; what the IR
/// interpreter runs for the batch-norm ops. x (rows, C), rows being every axis but the last.
public enum BatchNormReference {
    /// Per-channel mean and biased variance of x, as `tf.nn.moments` computes them.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func statistics<T: ReferenceScalar>(input: UnsafePointer<T>, rows: Int, channels: Int)
        -> (mean: [T], variance: [T]) {
        var means: [T] = [], variances: [T] = []
        for c in 0..<channels {
            var mean: T = 0
            for i in 0..<rows { mean += input[i * channels + c] }
            mean /= T(rows)
            var variance: T = 0
            for i in 0..<rows { variance += (input[i * channels + c] - mean) * (input[i * channels + c] - mean) }
            variance /= T(rows)
            means.append(mean)
            variances.append(variance)
        }
        return (means, variances)
    }

    /// y = gamma (x - mean) / sqrt(var + eps) + beta with the batch's mean and biased variance;
    /// returns them per channel.
    @discardableResult
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func trainingForward<T: ReferenceScalar>(input: UnsafePointer<T>, rows: Int, channels: Int,
                                                           gamma: UnsafePointer<T>, beta: UnsafePointer<T>,
                                                           output: UnsafeMutablePointer<T>,
                                                           epsilon: T = 1e-3) -> (mean: [T], variance: [T]) {
        let (means, variances) = statistics(input: input, rows: rows, channels: channels)
        means.withUnsafeBufferPointer { m in variances.withUnsafeBufferPointer { v in
            inferenceForward(input: input, rows: rows, channels: channels, gamma: gamma, beta: beta,
                             movingMean: m.baseAddress!, movingVariance: v.baseAddress!, output: output, epsilon: epsilon)
        } }
        return (means, variances)
    }

    /// dx, dgamma, dbeta of `trainingForward`, with the batch statistics recomputed.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backward<T: ReferenceScalar>(input: UnsafePointer<T>, outputGradient: UnsafePointer<T>,
                                                    rows: Int, channels: Int, gamma: UnsafePointer<T>,
                                                    inputGradient: UnsafeMutablePointer<T>,
                                                    gammaGradient: UnsafeMutablePointer<T>, betaGradient: UnsafeMutablePointer<T>,
                                                    epsilon: T = 1e-3) {
        let (means, variances) = statistics(input: input, rows: rows, channels: channels)
        for c in 0..<channels {
            let mean = means[c]
            let invStd = 1 / (variances[c] + epsilon).squareRoot()
            var sumDy: T = 0, sumDyXhat: T = 0
            for i in 0..<rows {
                let dy = outputGradient[i * channels + c]
                sumDy += dy
                sumDyXhat += dy * (input[i * channels + c] - mean) * invStd
            }
            betaGradient[c] = sumDy
            gammaGradient[c] = sumDyXhat
            for i in 0..<rows {
                let xhat = (input[i * channels + c] - mean) * invStd
                let dy = outputGradient[i * channels + c]
                inputGradient[i * channels + c] = gamma[c] * invStd / T(rows) * (T(rows) * dy - sumDy - xhat * sumDyXhat)
            }
        }
    }

    /// Inference: the moving statistics in place of the batch's.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func inferenceForward<T: ReferenceScalar>(input: UnsafePointer<T>, rows: Int, channels: Int,
                                                            gamma: UnsafePointer<T>, beta: UnsafePointer<T>,
                                                            movingMean: UnsafePointer<T>, movingVariance: UnsafePointer<T>,
                                                            output: UnsafeMutablePointer<T>, epsilon: T = 1e-3) {
        for i in 0..<rows { for c in 0..<channels {
            output[i * channels + c] = gamma[c] * (input[i * channels + c] - movingMean[c])
                / (movingVariance[c] + epsilon).squareRoot() + beta[c]
        } }
    }
}
