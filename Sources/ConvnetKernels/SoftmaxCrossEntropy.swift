import Foundation

/// The classifier head: softmax over logits fused with categorical cross-entropy, as Keras
/// computes it for a softmax output layer (from logits, no probability clipping).
/// logits (B, K), labels (B) Int32 class indices in 0..<K.
public enum SoftmaxCrossEntropy {
    /// Writes probabilities (B, K) = softmax(logits) and returns the mean over the batch of
    /// -log p[label], computed stably as logsumexp(z) - z[label] in Float64.
    public static func forward(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                               batch: Int, classes: Int,
                               probabilities: UnsafeMutablePointer<Float>) -> Float {
        var total = 0.0
        for b in 0..<batch {
            let z = logits + b * classes, p = probabilities + b * classes
            let label = Int(labels[b])
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            var zmax = z[0]
            for k in 1..<classes { zmax = max(zmax, z[k]) }
            var sum = 0.0
            for k in 0..<classes { sum += exp(Double(z[k] - zmax)) }
            for k in 0..<classes { p[k] = Float(exp(Double(z[k] - zmax)) / sum) }
            total += log(sum) + Double(zmax) - Double(z[label])
        }
        return Float(total / Double(batch))
    }

    /// dLogits (B, K) = (probabilities - onehot(labels)) / B: the gradient of the mean loss.
    public static func backward(probabilities: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                                batch: Int, classes: Int, logitsGradient: UnsafeMutablePointer<Float>) {
        let scale = 1 / Float(batch)
        for b in 0..<batch {
            let p = probabilities + b * classes, d = logitsGradient + b * classes
            for k in 0..<classes { d[k] = p[k] * scale }
            d[Int(labels[b])] -= scale
        }
    }

    /// How many rows of scores (B, K) have their first maximum at the label.
    public static func correctCount(scores: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                                    batch: Int, classes: Int) -> Int {
        var correct = 0
        for b in 0..<batch where argmax(scores + b * classes, classes) == Int(labels[b]) { correct += 1 }
        return correct
    }

    /// The index of the first maximum of `count` values.
    public static func argmax(_ values: UnsafePointer<Float>, _ count: Int) -> Int {
        var best = 0
        for k in 1..<max(count, 1) where values[k] > values[best] { best = k }
        return best
    }
}
