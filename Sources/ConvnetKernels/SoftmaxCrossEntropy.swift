import Foundation

/// The classifier head: softmax over logits fused with categorical cross-entropy, as Keras
/// computes it for a softmax output layer (from logits, no probability clipping).
/// logits (B, K), labels (B) Int32 class indices in 0..<K.
public enum SoftmaxCrossEntropy {
    /// Writes probabilities (B, K) = softmax(logits) and returns the mean over the batch of
    /// -log p[label], computed stably as logsumexp(z) - z[label] in Float64.
    public static func forward(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                               batch: Int, classes: Int,
                               probabilities: UnsafeMutablePointer<Float>, labelSmoothing: Float = 0) -> Float {
        var total = 0.0
        let s = Double(labelSmoothing)
        for b in 0..<batch {
            let z = logits + b * classes
            let label = Int(labels[b])
            precondition(label >= 0 && label < classes, "label \(label) outside 0..<\(classes)")
            let (zmax, sum) = softmaxRow(z, probabilities + b * classes, classes)
            let lse = log(sum) + Double(zmax)
            total += lse - Double(z[label])
            if s != 0 {
                // Keras' label_smoothing: targets onehot * (1 - s) + s / K, so the loss is
                // (1 - s) * (lse - z[label]) + s * (lse - mean(z)).
                var mean = 0.0
                for k in 0..<classes { mean += Double(z[k]) }
                mean /= Double(classes)
                total += s * (Double(z[label]) - mean)
            }
        }
        return Float(total / Double(batch))
    }

    /// probabilities (B, K) = softmax(logits (B, K)) row by row, for prediction (no labels).
    public static func softmax(logits: UnsafePointer<Float>, batch: Int, classes: Int,
                               probabilities: UnsafeMutablePointer<Float>) {
        for b in 0..<batch { _ = softmaxRow(logits + b * classes, probabilities + b * classes, classes) }
    }

    /// One row: p = exp(z - max) / sum, in Float64; returns (max, sum) for the log-sum-exp.
    private static func softmaxRow(_ z: UnsafePointer<Float>, _ p: UnsafeMutablePointer<Float>,
                                   _ classes: Int) -> (Float, Double) {
        var zmax = z[0]
        for k in 1..<classes { zmax = max(zmax, z[k]) }
        var sum = 0.0
        for k in 0..<classes { sum += exp(Double(z[k] - zmax)) }
        for k in 0..<classes { p[k] = Float(exp(Double(z[k] - zmax)) / sum) }
        return (zmax, sum)
    }

    /// dLogits (B, K) = (probabilities - targets) / B: the gradient of the mean loss, the
    /// targets `onehot(labels) * (1 - s) + s / K`.
    public static func backward(probabilities: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                                batch: Int, classes: Int, logitsGradient: UnsafeMutablePointer<Float>,
                                labelSmoothing: Float = 0) {
        let scale = 1 / Float(batch)
        let floor = labelSmoothing / Float(classes) * scale
        for b in 0..<batch {
            let p = probabilities + b * classes, d = logitsGradient + b * classes
            for k in 0..<classes { d[k] = p[k] * scale - floor }
            d[Int(labels[b])] -= (1 - labelSmoothing) * scale
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
