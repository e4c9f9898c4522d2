import ConvnetData
import ConvnetInterface
import ConvnetSupport
import Foundation

/// The class probabilities of one image.
public struct Prediction: Sendable {
    /// The path as given.
    public var file: String
    /// One probability per class, in label order (they sum to 1 for a softmax head).
    public var probabilities: [Float]

    /// The most probable class (the first on ties).
    public var topClass: Int {
        probabilities.indices.max { a, b in probabilities[a] < probabilities[b] || (probabilities[a] == probabilities[b] && a > b) } ?? 0
    }
}

/// `convnetc FILE predict --weights W IMAGE...`: what a trained model says about some images.
public struct PredictionReport: Sendable {
    public var classes: [String]
    public var predictions: [Prediction]

    /// One line per image: `path: daisy 91.3% (roses 5.0%, tulips 2.1%, ...)`, classes after the
    /// first in decreasing probability.
    public func renderText() -> String {
        predictions.map { p in
            let order = p.probabilities.indices.sorted { p.probabilities[$0] > p.probabilities[$1] || (p.probabilities[$0] == p.probabilities[$1] && $0 < $1) }
            func item(_ c: Int) -> String {
                TerminalText.escaped(classes[c]) + " " + String(format: "%.1f%%", Double(p.probabilities[c]) * 100)
            }
            let rest = order.dropFirst().map(item).joined(separator: ", ")
            return "\(TerminalText.escaped(p.file)): \(item(order[0]))" + (rest.isEmpty ? "" : " (\(rest))")
        }.joined(separator: "\n") + "\n"
    }

    /// `{"classes": [...], "predictions": [{"file": "...", "probabilities": [...]}]}`
    public var json: JSON {
        .object([
            ("classes", .array(classes.map { .string($0) })),
            ("predictions", .array(predictions.map { p in
                .object([("file", .string(p.file)),
                         ("probabilities", .array(p.probabilities.map { .double(Double($0)) }))])
            })),
        ])
    }

    /// The JSON document as one line, newline-terminated.
    public func renderJSON() -> String { json.compactText + "\n" }
}

/// Runs a checkpoint's weights on image files, each decoded, resized and centre-cropped exactly
/// as a dataset image.
public enum Predictor {
    /// - Parameters:
    ///   - weights: a checkpoint written by the trainer (`model.safetensors` or an epoch file).
    ///   - images: image paths (JPEG or PNG); an unreadable one throws `DataError.unreadableImage`.
    ///   - batch: the compiled batch size; the last batch is padded with zeros.
    ///   - dataFolder: where to find class names when the checkpoint has none.
    ///   - classes: `--classes`: the class names, in label order.
    public static func predict(weights: URL, model: ModelDescription, images: [String],
                               compiler: any ModelCompiler, batch: Int = 32,
                               dataFolder: String? = nil, classes: [String]? = nil) throws -> PredictionReport {
        let trained = try TrainedWeights(url: weights, model: model, dataFolder: dataFolder, classes: classes)
        guard !images.isEmpty else { return PredictionReport(classes: trained.classNames, predictions: []) }
        let shape = ImageShape(height: model.inputShape.height, width: model.inputShape.width,
                               channels: model.inputShape.channels)
        let pixels = try images.map { path throws(DataError) in try SingleImage.load(path: path, shape: shape) }  // each (H, W, C)
        let b = max(1, min(batch, images.count))
        let executable = try compiler.inference(batch: b)
        try trained.load(into: executable)
        let imageSize = shape.elementCount
        var predictions: [Prediction] = []
        for start in stride(from: 0, to: images.count, by: b) {
            let input = executable.floats(input: ProgramNames.images)  // (B, H, W, C)
            let real = min(b, images.count - start)
            for row in 0..<b {
                let target = UnsafeMutableBufferPointer(rebasing: input[(row * imageSize)..<((row + 1) * imageSize)])
                if row < real { _ = target.update(fromContentsOf: pixels[start + row]) } else { target.update(repeating: 0) }
            }
            try executable.run()
            let probabilities = executable.floats(output: ProgramNames.probabilities)  // (B, K)
            let k = probabilities.count / b
            for row in 0..<real {
                predictions.append(Prediction(file: images[start + row],
                                              probabilities: Array(probabilities[(row * k)..<((row + 1) * k)])))
            }
        }
        return PredictionReport(classes: trained.classNames, predictions: predictions)
    }
}
