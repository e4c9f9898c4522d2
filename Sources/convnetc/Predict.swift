import ArgumentParser
import ConvnetDriver
import ConvnetFlags
import ConvnetInterface
import ConvnetTraining
import Foundation

/// `convnetc predict --weights W MODEL IMAGE...`
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print class probabilities for images.")

    @OptionGroup var report: ReportFlags

    @OptionGroup var model: ModelOptions

    @Argument(help: "JPEG or PNG files.")
    var images: [String]

    @Option(help: "Where the program runs.")
    var target: Target = .cpu

    @Option(help: "A data folder to take class names from when the weights do not carry them.")
    var data: String?

    @Option(help: "Class names in label order, comma-separated (else the weights' or the data folder's).")
    var classes: String?

    func validate() throws {
        if images.isEmpty { throw ValidationError("name at least one image file") }
        try ClassNames.validate(classes, target: target)
    }

    func run() throws {
        let (_, checked) = try model.checkedModel()
        if target == .native {
            let status = try withTrainingErrors {
                try NativeCommands.predict(checked, weights: report.weights, images: images, json: report.format == .json, data: data)
            }
            if status != 0 { throw ExitCode(status) }
            return
        }
        let result = try withTrainingErrors {
            try Predictor.predict(weights: URL(fileURLWithPath: report.weights), model: ModelDescription(checked), images: images,
                                  compiler: target.compiler(model: checked).compiling(checked), dataFolder: data,
                                  classes: ClassNames.parse(classes))
        }
        print(report.format == .json ? result.renderJSON() : result.renderText(), terminator: "")
    }
}

/// `convnetc evaluate --weights W MODEL [--data DIR]`
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Accuracy and the confusion matrix on the validation split.")

    @OptionGroup var report: ReportFlags

    @OptionGroup var model: ModelOptions

    @Option(help: "Where the program runs.")
    var target: Target = .cpu

    @OptionGroup var training: TrainingFlags

    @OptionGroup var device: DeviceFlags

    @Option(help: "Class names in label order, comma-separated; they must be the data's.")
    var classes: String?

    func validate() throws {
        try training.validate()
        try ClassNames.validate(classes, target: target)
        if training.initFrom != nil { throw ValidationError("--init-from starts a training run (--run); evaluate reads --weights") }
        // evaluate reads the data, the split and the batch; the rest belongs to a training run.
        let ignored = training.runOnlyFlagsGiven.filter { !["--data", "--validation", "--validation-data", "--image-key", "--label-key", "--out"].contains($0) }
        if let first = ignored.first { throw ValidationError("evaluate does not take \(first) (it is a training flag)") }
    }

    func run() throws {
        let (_, checked) = try model.checkedModel()
        try requireCountableBatch(checked, training.batch ?? checked.train.batch)
        if target == .native {
            let status = try withTrainingErrors {
                try NativeCommands.evaluate(checked, weights: report.weights, options: training.options, json: report.format == .json)
            }
            if status != 0 { throw ExitCode(status) }
            return
        }
        let result = try withTrainingErrors {
            try Evaluator.evaluate(weights: URL(fileURLWithPath: report.weights), model: ModelDescription(checked),
                                   options: training.options,
                                   compiler: target.compiler(model: checked, device: device.device).compiling(checked),
                                   output: StandardOutput(toStandardError: report.format == .json),
                                   classes: ClassNames.parse(classes))
        }
        print(report.format == .json ? result.renderJSON() : result.renderText(), terminator: "")
    }
}
