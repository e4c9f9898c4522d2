/// Twin of `SoftmaxCrossEntropy`: the textbook formulas, softmax then -log p[label].
public enum SoftmaxCrossEntropyReference {
    /// Writes softmax probabilities (B, K); returns the mean cross-entropy.
    public static func forward<T: ReferenceScalar>(logits: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                                   batch: Int, classes: Int, probabilities: UnsafeMutablePointer<T>) -> T {
        var total: T = 0
        for b in 0..<batch {
            var zmax = -T.infinity
            for k in 0..<classes { zmax = max(zmax, logits[b * classes + k]) }
            var sum: T = 0
            for k in 0..<classes { sum += T.exponential(logits[b * classes + k] - zmax) }
            for k in 0..<classes { probabilities[b * classes + k] = T.exponential(logits[b * classes + k] - zmax) / sum }
            total -= T.logarithm(probabilities[b * classes + Int(labels[b])])
        }
        return total / T(batch)
    }

    /// (p - onehot) / B.
    public static func backward<T: ReferenceScalar>(probabilities: UnsafePointer<T>, labels: UnsafePointer<Int32>,
                                                    batch: Int, classes: Int, logitsGradient: UnsafeMutablePointer<T>) {
        for b in 0..<batch { for k in 0..<classes {
            let onehot: T = k == Int(labels[b]) ? 1 : 0
            logitsGradient[b * classes + k] = (probabilities[b * classes + k] - onehot) / T(batch)
        } }
    }
}
