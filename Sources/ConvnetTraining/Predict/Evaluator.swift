import ConvnetData
import ConvnetInterface
import ConvnetSupport
import Foundation

/// `convnetc FILE evaluate --weights W`: a checkpoint's accuracy on the validation split.
public struct EvaluationReport: Sendable {
    public var weights: String
    public var dataset: String
    /// Validation images evaluated.
    public var count: Int
    /// Files or records of the data left out with a warning.
    public var skipped: Int = 0
    public var accuracy: Double
    /// Mean `-log p[label]`, as the trainer's `val_loss`.
    public var loss: Double
    public var confusion: ConfusionMatrix

    /// A headline and the confusion matrix table.
    public func renderText() -> String {
        "Evaluated \(weights) on \(count) validation images of \(dataset): accuracy "
            + String(format: "%.2f%%", accuracy * 100) + ", loss " + ProgressFormat.metric(loss) + "\n"
            + confusion.render()
    }

    /// `{"weights", "dataset", "count", "accuracy", "loss", "confusion": {...}}`
    public var json: JSON {
        .object([
            ("weights", .string(weights)),
            ("dataset", .string(dataset)),
            ("count", .int(count)),
            ("skipped", .int(skipped)),
            ("accuracy", accuracy.isFinite ? .double(accuracy) : .null),
            ("loss", loss.isFinite ? .double(loss) : .null),
            ("confusion", confusion.json),
        ])
    }

    public func renderJSON() -> String { json.compactText + "\n" }
}

/// Measures a checkpoint on the validation split of the model's dataset (the split depends only
/// on file paths and the fraction, so it is the split the trainer validated on).
public enum Evaluator {
    /// Uses `options` for `--data`, `--validation` and `--batch` (else the train block), and
    /// `--out DIR` for where to write the pictures (`ValidationReports`; none without it).
    /// `classes` (`--classes`), like a checkpoint's class names, must be the dataset's.
    public static func evaluate(weights: URL, model: ModelDescription, options: TrainingOptions = TrainingOptions(),
                                compiler: any ModelCompiler,
                                output: ProgressOutput = StandardOutput(),
                                clock: TrainingClock = SystemClock(), classes: [String]? = nil) throws -> EvaluationReport {
        let config = try TrainingConfiguration(model: model, options: options)
        let trained = try TrainedWeights(url: weights, model: model, dataFolder: config.data, classes: classes)
        let dataset = try DataSourceLoading.open(configuration: config, model: model, seed: config.seed,
                                                 output: output, clock: clock, requireTraining: false)
        let saved = classes ?? trained.weights.classNames
        if !saved.isEmpty, saved != dataset.classNames {
            let source = classes != nil ? "--classes names" : "\(weights.path) was trained on"
            throw TrainingError.classMismatch("\(source) classes \(saved) but the dataset has \(dataset.classNames)")
        }
        guard dataset.count(.validation) > 0 else {
            throw TrainingError.invalidOption("the dataset has no validation images (validation fraction \(config.validation))\n"
                + "help: pass --validation with a fraction above 0, e.g. 0.19 (for shards: one that holds out at least one "
                + "shard), or name validation shards with --validation-data GLOB")
        }
        let executable = try compiler.inference(batch: config.batch)
        try trained.load(into: executable)
        let result = try ValidationPass.run(executable, dataset: dataset)
        // `--out DIR`: the run folder's pictures for these weights.
        if let folder = options.outputDirectory {
            let url = URL(fileURLWithPath: folder)
            let title = "\(model.name) on \(dataset.source), weights \(weights.lastPathComponent)"
            let written = try ValidationReports.write(result, to: url, title: title)
            output.write("Wrote " + written.map(\.lastPathComponent).joined(separator: ", ") + " in \(url.path)\n")
        }
        return EvaluationReport(weights: weights.path, dataset: dataset.source, count: result.count,
                                skipped: dataset.skipped.count, accuracy: result.accuracy, loss: result.loss,
                                confusion: result.confusion)
    }
}
