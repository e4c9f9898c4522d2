import ConvnetData
import ConvnetInterface
import Foundation

/// What one pass of the inference program over a split measured.
public struct ValidationResult: Sendable {
    /// Mean of `-log p[label]` over the split (p clamped to `ValidationPass.epsilon`).
    public var loss: Double
    /// Fraction of images whose most probable class is their label.
    public var accuracy: Double
    /// Images seen (padding rows excluded).
    public var count: Int
    /// True class against predicted class.
    public var confusion: ConfusionMatrix
    /// Image by image: the misclassified ones and a few photos, for the run's pictures.
    public var predictions = ValidationPredictions()
}

/// Runs the inference program over a whole split in stored order. The last batch is padded to
/// the compiled batch size (`EvaluationBatches`); only its real rows count. The loss comes from
/// the probabilities, as Keras computes `val_loss` for a softmax head.
public enum ValidationPass {
    /// Keras' `epsilon()`: probabilities are clamped to [eps, 1 - eps] before the log.
    public static let epsilon: Float = 1e-7

    /// - Parameter executable: a compiled inference program, weights already loaded.
    public static func run(_ executable: any CompiledProgram, dataset: any DataSource,
                           split: Split = .validation) throws -> ValidationResult {
        let batch = executable.interface.batch
        let classes = dataset.classNames.count
        let batches = dataset.evaluation(split, batchSize: batch)
        var labels = [Int32](repeating: 0, count: batch)  // (B)
        var confusion = ConfusionMatrix(classNames: dataset.classNames)
        var lossSum = 0.0
        var count = 0
        let shape = executable.interface.input(named: ProgramNames.images)?.shape ?? []  // (B, H, W, C)
        let (height, width, channels) = shape.count == 4 ? (shape[1], shape[2], shape[3]) : (1, 1, 1)
        var sampler = PredictionSampler(classes: classes)
        // The batch's images as filled: a target may reuse its input buffer while it runs, and the
        // photos are picked only once the predictions are known.
        var seen = [Float]()  // (B, H, W, C)
        for b in 0..<batches.count {
            let images = executable.floats(input: ProgramNames.images)  // (B, H, W, C)
            let real = try labels.withUnsafeMutableBufferPointer { l in
                try batches.fill(batch: b, into: images.baseAddress!, labels: l.baseAddress!)
            }
            let names = batches.names(batch: b)
            seen.removeAll(keepingCapacity: true)
            seen.append(contentsOf: images)
            try executable.run()
            let probabilities = executable.floats(output: ProgramNames.probabilities)  // (B, K)
            let k = probabilities.count / batch
            precondition(k == classes, "the model predicts \(k) classes, the dataset has \(classes)")
            for row in 0..<real {
                let p = UnsafeBufferPointer(rebasing: probabilities[(row * k)..<((row + 1) * k)])
                let label = Int(labels[row])
                // A NaN probability must make the loss NaN (the clamp alone would hide it).
                let q = p[label]
                lossSum -= q.isNaN ? .nan : Double(log(min(max(q, epsilon), 1 - epsilon)))
                let predicted = argmax(p)
                confusion.add(truth: label, predicted: predicted)
                let outcome = ValidationPredictions.Outcome(
                    name: row < names.count ? names[row] : "validation image \(count + 1)",
                    truth: label, predicted: predicted, probability: p[predicted])
                let stride = height * width * channels
                seen.withUnsafeBufferPointer { all in
                    // No photo (only the name) if the program's images are not (B, H, W, C).
                    let image = shape.count == 4 && all.count >= (row + 1) * stride ? all.baseAddress! + row * stride : nil
                    sampler.add(outcome, image: image, height: height, width: width, channels: channels)
                }
                count += 1
            }
        }
        return ValidationResult(loss: count > 0 ? lossSum / Double(count) : .nan,
                                accuracy: confusion.accuracy ?? .nan, count: count, confusion: confusion,
                                predictions: sampler.result)
    }

    /// The index of the largest value (the first on ties), as `tf.argmax`.
    static func argmax(_ p: UnsafeBufferPointer<Float>) -> Int {
        var best = 0
        for i in p.indices where p[i] > p[best] { best = i }
        return best
    }
}
