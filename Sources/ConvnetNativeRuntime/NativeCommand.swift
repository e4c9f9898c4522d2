import ArgumentParser
import ConvnetFlags
import ConvnetInterface
import ConvnetTraining
import Foundation

/// The command line of a generated binary.
struct NativeCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: CommandLine.arguments.first.map { URL(fileURLWithPath: $0).lastPathComponent },
            abstract: "A model compiled by convnetc (convnetc FILE --emit-swift DIR): train it, or run its weights.",
            discussion: "It was emitted for one batch size and update rule; ask convnetc for another.",
            subcommands: [Train.self, Predict.self, Evaluate.self, Bench.self])
    }
}

/// `train [TRAINING-FLAGS]`: what `convnetc FILE --run --target native` runs.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train on the model's data (the train block, or --data).")

    @OptionGroup var training: TrainingFlags

    func run() throws {
        let compiler = NativeMain.compiler!
        let interrupt = InterruptFlag()
        interrupt.install()
        defer { interrupt.uninstall() }
        let trainer = try Trainer(model: compiler.model, options: training.options, interrupt: interrupt)
        let status = try trainer.run(compiler: compiler).exitStatus
        if status != 0 { throw ExitCode(status) }
    }
}

/// `predict --weights W [--format json] [--data DIR] IMAGE...`
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print class probabilities for images.")

    @OptionGroup var report: ReportFlags

    @Option(help: "A data folder to take class names from when the weights do not carry them.")
    var data: String?

    @Argument(help: "JPEG or PNG files.")
    var images: [String]

    func validate() throws {
        if images.isEmpty { throw ValidationError("name at least one image file") }
    }

    func run() throws {
        let compiler = NativeMain.compiler!
        let result = try Predictor.predict(weights: URL(fileURLWithPath: report.weights), model: compiler.model,
                                           images: images, compiler: compiler, batch: compiler.batch, dataFolder: data)
        print(report.format == .json ? result.renderJSON() : result.renderText(), terminator: "")
    }
}

/// `evaluate --weights W [--format json] [TRAINING-FLAGS]`
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Accuracy and the confusion matrix on the validation split.")

    @OptionGroup var report: ReportFlags

    @OptionGroup var training: TrainingFlags

    func run() throws {
        let compiler = NativeMain.compiler!
        let result = try Evaluator.evaluate(weights: URL(fileURLWithPath: report.weights), model: compiler.model,
                                            options: training.options, compiler: compiler,
                                            output: StandardOutput(toStandardError: report.format == .json))
        print(report.format == .json ? result.renderJSON() : result.renderText(), terminator: "")
    }
}

/// `bench [--steps N]`: the emitted training step's images/s on made-up inputs
/// (`StepBenchmark`, as `make bench` times the CPU target), one JSON line:
/// `{"train_images_per_second": R, "batch": B, "steps": N}`.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Time the training step on made-up inputs (one JSON line).")

    @Option(help: "Timed steps after one warm-up step.")
    var steps = 5

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
    }

    func run() throws {
        let compiler = NativeMain.compiler!
        let exe = try compiler.trainingStep(batch: compiler.batch, optimizer: compiler.optimizer)
        StepBenchmark.fill(exe, classes: compiler.model.classCount)
        let rate = try StepBenchmark.imagesPerSecond(exe, batch: compiler.batch, steps: steps)
        print("{\"train_images_per_second\": \(rate), \"batch\": \(compiler.batch), \"steps\": \(steps)}")
    }
}
