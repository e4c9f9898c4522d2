import ArgumentParser
import ConvnetDriver
import ConvnetSupport
import ConvnetTraining

/// `convnetc FILE [...]`: the default command. Checks the model, and with `--run` trains it.
struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Check a model, or train it with --run (the default command: `convnetc FILE`).")

    @OptionGroup var model: ModelOptions

    @Flag(name: .customLong("run"), help: "Train the model on its data (the train block, or --data).")
    var train = false

    /// The TPU emulator by default, as the codelab trains on a TPU: `--target cpu` is the fast
    /// fp32 path.
    @Option(help: "Where the program runs: tpu (the emulator), cpu (fastest), native or reference.")
    var target: Target = .tpu

    @OptionGroup var training: TrainingFlags

    @Option(name: .customLong("init-from"),
            help: "Start training from these weights (a checkpoint, Keras-named safetensors or a Keras .weights.h5); fresh optimizer state, epoch 1.")
    var initFrom: String?

    @Option(name: .customLong("dump-ir"),
            help: "Print the IR --target runs, planned: `--dump-ir` the final plan, `--dump-ir=all` after every pass.")
    var dumpIR: DumpIRMode?

    @Option(help: "The program --dump-ir prints: train (the whole training step) or inference.")
    var program: DumpIR.Program = .train

    @Option(name: .customLong("emit-swift"), help: "Write the model as a Swift package (the native target's source) into DIR.")
    var emitSwift: String?

    func validate() throws {
        try training.validate()
    }

    /// The training flags with `--init-from`, which only a run takes.
    var trainingOptions: TrainingOptions {
        var options = training.options
        options.initFrom = initFrom
        return options
    }

    func run() throws {
        let (_, checked) = try model.checkedModel()
        if let dumpIR {
            let batch = training.batch ?? checked.train.batch
            print(try withTrainingErrors { try DumpIR.text(checked, batch: batch, program: program, all: dumpIR == .all, target: target) },
                  terminator: "")
            return
        }
        if let emitSwift {
            let files = try withTrainingErrors { try NativeCommands.emit(checked, to: emitSwift, options: trainingOptions) }
            for file in files { print(file) }
            if !train { return }
        }
        if train {
            let status = try withTrainingErrors { try TrainingRun.run(checked, options: trainingOptions, target: target, cores: training.cores) }
            if status != 0 { throw ExitCode(status) }
            return
        }
        print("\(model.file): ok: \(checked.layers.count) layers, \(NumberFormat.grouped(checked.totalParams)) parameters, input \(checked.inputShape) -> \(checked.outputShape)")
    }
}

extension Target: ExpressibleByArgument {}

/// `--dump-ir` (spelled `--dump-ir=lowered` by `Console.normalizedArguments`) or `--dump-ir=all`.
enum DumpIRMode: String, ExpressibleByArgument {
    case lowered, all
}

extension DumpIR.Program: ExpressibleByArgument {}

/// The training overrides shared by `--run` and `evaluate`.
struct TrainingFlags: ParsableArguments {
    @Option(help: "Epochs to train (a resumed run continues up to this total).")
    var epochs: Int?

    @Option(help: "Batch size.")
    var batch: Int?

    @Option(help: "Learning rate (keeps the optimizer's kind and momentum).")
    var lr: Double?

    @Option(help: "Data: a folder of class sub-folders, a glob of TFRecord shards in quotes (\"flowers/*.tfrec\"), or synthetic:shapes[:CLASSES[:PER_CLASS]].")
    var data: String?

    @Option(name: .customLong("validation-data"),
            help: "A glob of validation TFRecord shards (else the first round(F x shards) of --data are held out).")
    var validationData: String?

    @Option(name: .customLong("image-key"), help: "The tf.train.Example feature holding the JPEG/PNG bytes (default image).")
    var imageKey: String?

    @Option(name: .customLong("label-key"), help: "The tf.train.Example int64 feature holding the class index (default class).")
    var labelKey: String?

    @Option(help: "Seed for initialisation, shuffling, augmentation and dropout.")
    var seed: Int?

    @Option(help: "Validation fraction, 0 <= F < 1.")
    var validation: Double?

    @Flag(help: "Continue from the latest checkpoint in the run folder.")
    var resume = false

    @Option(help: "The run folder for checkpoints, metrics and plots (default runs/<model>).")
    var out: String?

    @Option(help: "TPU cores for --target tpu; the batch must divide evenly.")
    var cores: Int = 8

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number") }
        if let seed, seed < 0 { throw ValidationError("--seed must be 0 or more") }
        if let validation, !(0..<1).contains(validation) { throw ValidationError("--validation must be in [0, 1)") }
        if cores < 1 { throw ValidationError("--cores must be at least 1") }
    }

    var options: TrainingOptions {
        TrainingOptions(epochs: epochs, batch: batch, learningRate: lr, data: data, seed: seed,
                        validation: validation, resume: resume, outputDirectory: out,
                        validationData: validationData, imageKey: imageKey, labelKey: labelKey)
    }
}

/// Runs work that may throw a training, data or checkpoint error, printing it as
/// `error: ...` and exiting 1 instead of letting ArgumentParser print a type name.
func withTrainingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        let text = "\(error)"
        Console.writeError((text.hasPrefix("error:") ? text : "error: " + text) + "\n")
        throw ExitCode(1)
    }
}
