/// Twin of `SoftmaxCrossEntropy`: the textbook formulas, row by row; what the IR interpreter
/// runs for `softmax`, `softmaxGrad`, `softmaxCrossEntropy(Grad)` and `correctCount`.
/// logits (B, K), labels (B) class indices.
public enum SoftmaxCrossEntropyReference {
    /// Writes softmax probabilities (B, K); returns the mean cross-entropy, each row's
    /// -log p[label] computed as logsumexp(z) - z[label] (finite where p underflows).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func forward<T: ReferenceScalar>(logits: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                                   batch: Int, classes: Int, probabilities: UnsafeMutablePointer<T>,
                                                   labelSmoothing s: T) -> T {
        var total: T = 0
        for b in 0..<batch {
            let (zmax, sum) = softmaxRow(logits + b * classes, probabilities + b * classes, classes)
            // -sum_k q_k log p_k with q = onehot * (1 - s) + s / K, p = softmax.
            for k in 0..<classes {
                let q = (k == Int(labels[b]) ? 1 - s : 0) + s / T(classes)
                if q != 0 { total += q * (zmax + T.logarithm(sum) - logits[b * classes + k]) }
            }
        }
        return total / T(batch)
    }

    /// probabilities (B, K) = softmax(logits) row by row, shifted by the row maximum.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func softmax<T: ReferenceScalar>(logits: UnsafePointer<T>, batch: Int, classes: Int,
                                                   probabilities: UnsafeMutablePointer<T>) {
        for b in 0..<batch { _ = softmaxRow(logits + b * classes, probabilities + b * classes, classes) }
    }

    /// One row: p = exp(z - max) / sum; returns (max, sum).
    @inline(__always)
    static func softmaxRow<T: ReferenceScalar>(_ z: UnsafePointer<T>, _ p: UnsafeMutablePointer<T>, _ classes: Int) -> (T, T) {
        var zmax = -T.infinity
        for k in 0..<classes { zmax = max(zmax, z[k]) }
        var sum: T = 0
        for k in 0..<classes { p[k] = T.exponential(z[k] - zmax); sum += p[k] }
        for k in 0..<classes { p[k] /= sum }
        return (zmax, sum)
    }

    /// (p - onehot) / B.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backward<T: ReferenceScalar>(probabilities: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                                    batch: Int, classes: Int, logitsGradient: UnsafeMutablePointer<T>,
                                                    labelSmoothing s: T) {
        for b in 0..<batch { for k in 0..<classes {
            let target = (k == Int(labels[b]) ? 1 - s : 0) + s / T(classes)
            logitsGradient[b * classes + k] = (probabilities[b * classes + k] - target) / T(batch)
        } }
    }

    /// dx (B, K) = y * (dy - sum(dy * y)) per row: the gradient of a standalone softmax, from its
    /// output y.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func softmaxBackward<T: ReferenceScalar>(outputGradient: UnsafePointer<T>, probabilities: UnsafePointer<T>,
                                                           batch: Int, classes: Int, inputGradient: UnsafeMutablePointer<T>) {
        for b in 0..<batch {
            let row = b * classes
            var dot: T = 0
            for k in 0..<classes { dot += outputGradient[row + k] * probabilities[row + k] }
            for k in 0..<classes { inputGradient[row + k] = probabilities[row + k] * (outputGradient[row + k] - dot) }
        }
    }

    /// How many rows of scores (B, K) have their first maximum at the label.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func correctCount<T: ReferenceScalar>(scores: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                                        batch: Int, classes: Int) -> Int {
        var correct = 0
        for b in 0..<batch {
            var best = 0
            for k in 1..<max(classes, 1) where scores[b * classes + k] > scores[b * classes + best] { best = k }
            if best == Int(labels[b]) { correct += 1 }
        }
        return correct
    }
}
