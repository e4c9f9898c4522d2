/// Twin of `BatchNorm`: one channel at a time, statistics in the generic type.
public enum BatchNormReference {
    /// y = gamma (x - mean) / sqrt(var + eps) + beta with the batch's mean and biased variance;
    /// returns them per channel.
    @discardableResult
    public static func trainingForward<T: ReferenceScalar>(input: UnsafePointer<T>, rows: Int, channels: Int,
                                                           gamma: UnsafePointer<T>, beta: UnsafePointer<T>,
                                                           output: UnsafeMutablePointer<T>,
                                                           epsilon: T = 1e-3) -> (mean: [T], variance: [T]) {
        var means: [T] = [], variances: [T] = []
        for c in 0..<channels {
            var mean: T = 0
            for i in 0..<rows { mean += input[i * channels + c] }
            mean /= T(rows)
            var variance: T = 0
            for i in 0..<rows { variance += (input[i * channels + c] - mean) * (input[i * channels + c] - mean) }
            variance /= T(rows)
            for i in 0..<rows {
                output[i * channels + c] = gamma[c] * (input[i * channels + c] - mean) / (variance + epsilon).squareRoot() + beta[c]
            }
            means.append(mean)
            variances.append(variance)
        }
        return (means, variances)
    }

    /// dx, dgamma, dbeta of `trainingForward`, with the batch statistics recomputed.
    public static func backward<T: ReferenceScalar>(input: UnsafePointer<T>, outputGradient: UnsafePointer<T>,
                                                    rows: Int, channels: Int, gamma: UnsafePointer<T>,
                                                    inputGradient: UnsafeMutablePointer<T>,
                                                    gammaGradient: UnsafeMutablePointer<T>, betaGradient: UnsafeMutablePointer<T>,
                                                    epsilon: T = 1e-3) {
        for c in 0..<channels {
            var mean: T = 0
            for i in 0..<rows { mean += input[i * channels + c] }
            mean /= T(rows)
            var variance: T = 0
            for i in 0..<rows { variance += (input[i * channels + c] - mean) * (input[i * channels + c] - mean) }
            variance /= T(rows)
            let invStd = 1 / (variance + epsilon).squareRoot()
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
