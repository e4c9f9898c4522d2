import ArgumentParser
import ConvnetDriver
import ConvnetTraining
import Foundation

/// `convnetc predict --weights W MODEL IMAGE...`
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print class probabilities for images.")

    @Option(help: "A checkpoint or model.safetensors written by --run.")
    var weights: String

    @OptionGroup var model: ModelOptions

    @Argument(help: "JPEG or PNG files.")
    var images: [String]

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Where the program runs.")
    var target: Target = .cpu

    @Option(help: "A data folder to take class names from when the weights do not carry them.")
    var data: String?

    func validate() throws {
        if images.isEmpty { throw ValidationError("name at least one image file") }
    }

    func run() throws {
        let (_, checked) = try model.checkedModel()
        if target == .native {
            let status = try withTrainingErrors {
                try NativeCommands.predict(checked, weights: weights, images: images, json: format == .json, data: data)
            }
            if status != 0 { throw ExitCode(status) }
            return
        }
        let report = try withTrainingErrors {
            try Predictor.predict(weights: URL(fileURLWithPath: weights), model: checked, images: images,
                                  compiler: target.compiler(model: checked), dataFolder: data)
        }
        print(format == .json ? report.renderJSON() : report.renderText(), terminator: "")
    }
}

/// `convnetc evaluate --weights W MODEL [--data DIR]`
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Accuracy and the confusion matrix on the validation split.")

    @Option(help: "A checkpoint or model.safetensors written by --run.")
    var weights: String

    @OptionGroup var model: ModelOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Where the program runs.")
    var target: Target = .cpu

    @OptionGroup var training: TrainingFlags

    func validate() throws {
        try training.validate()
        // evaluate reads the data, the split and the batch; the rest belongs to a training run.
        let ignored = training.runOnlyFlagsGiven.filter { !["--data", "--validation", "--validation-data", "--image-key", "--label-key"].contains($0) }
        if let first = ignored.first { throw ValidationError("evaluate does not take \(first) (it is a training flag)") }
    }

    func run() throws {
        let (_, checked) = try model.checkedModel()
        if target == .native {
            let status = try withTrainingErrors {
                try NativeCommands.evaluate(checked, weights: weights, options: training.options, json: format == .json)
            }
            if status != 0 { throw ExitCode(status) }
            return
        }
        let report = try withTrainingErrors {
            try Evaluator.evaluate(weights: URL(fileURLWithPath: weights), model: checked,
                                   options: training.options, compiler: target.compiler(model: checked, cores: training.cores),
                                   output: StandardOutput(toStandardError: format == .json))
        }
        print(format == .json ? report.renderJSON() : report.renderText(), terminator: "")
    }
}
