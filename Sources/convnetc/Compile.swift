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

    @Option(name: .customLong("dump-ir"),
            help: "Print the optimized IR: `--dump-ir` after lowering, `--dump-ir=all` after every pass.")
    var dumpIR: DumpIRMode?

    @Option(help: "The program --dump-ir prints: train (the whole training step) or inference.")
    var program: DumpIR.Program = .train

    @Option(name: .customLong("emit-swift"), help: "Write the model as a Swift package (the native target's source) into DIR.")
    var emitSwift: String?

    func validate() throws {
        try training.validate()
        if !train && emitSwift == nil {
            // Flags that only a run reads would otherwise be accepted and silently ignored.
            let ignored = training.runOnlyFlagsGiven + (dumpIR == nil && training.batch != nil ? ["--batch"] : [])
            if let first = ignored.first {
                throw ValidationError("\(first) applies to training only; add --run to train (or drop \(first))")
            }
        }
    }

    func run() throws {
        let (_, checked) = try model.checkedModel()
        if let dumpIR {
            let batch = training.batch ?? checked.train.batch
            try requireCountableBatch(checked, batch)
            print(try withTrainingErrors { try DumpIR.text(checked, batch: batch, program: program, all: dumpIR == .all) },
                  terminator: "")
            return
        }
        if let emitSwift {
            try requireCountableBatch(checked, training.batch ?? checked.train.batch)
            let files = try withTrainingErrors { try NativeCommands.emit(checked, to: emitSwift, options: training.options) }
            for file in files { print(file) }
            if !train { return }
        }
        if train {
            let status = try withTrainingErrors { try TrainingRun.run(checked, options: training.options, target: target, cores: training.cores) }
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
    var lr: DecimalNumber?

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
    var validation: DecimalNumber?

    @Flag(help: "Continue from the latest checkpoint in the run folder.")
    var resume = false

    @Flag(help: "Replace the results of an earlier run in the run folder (without it such a run is refused).")
    var overwrite = false

    @Option(help: "The run folder for checkpoints, metrics and plots (default runs/<model>).")
    var out: String?

    @Option(help: "TPU cores for --target tpu; the batch must divide evenly.")
    var cores: Int = 8

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let lr, !(lr.value > 0 && lr.value.isFinite) { throw ValidationError("--lr must be a positive number") }
        if let seed, seed < 0 { throw ValidationError("--seed must be 0 or more") }
        if let validation, !(0..<1).contains(validation.value) { throw ValidationError("--validation must be in [0, 1)") }
        if let out, out.isEmpty { throw ValidationError("--out needs a folder name ('' would write into the current folder)") }
        if resume && overwrite { throw ValidationError("--resume continues a run and --overwrite replaces it: pass one of them") }
        if !(1...TrainingFlags.maxCores).contains(cores) { throw ValidationError("--cores must be between 1 and \(TrainingFlags.maxCores)") }
    }

    /// The most emulated TPU cores (a TPU v3 pod slice has 2,048; more is a typo).
    static let maxCores = 4096

    /// The flags only a training run reads (given on this command line).
    var runOnlyFlagsGiven: [String] {
        [("--epochs", epochs != nil), ("--lr", lr != nil), ("--data", data != nil), ("--seed", seed != nil),
         ("--validation-data", validationData != nil), ("--image-key", imageKey != nil), ("--label-key", labelKey != nil),
         ("--validation", validation != nil), ("--resume", resume), ("--overwrite", overwrite), ("--out", out != nil)]
            .filter(\.1).map(\.0)
    }

    var options: TrainingOptions {
        var options = TrainingOptions(epochs: epochs, batch: batch, learningRate: lr?.value, data: data, seed: seed,
                                      validation: validation?.value, resume: resume, outputDirectory: out,
                                      validationData: validationData, imageKey: imageKey, labelKey: labelKey)
        options.overwrite = overwrite
        return options
    }
}

/// A number written in decimal (`0.001`, `1e-3`): what `--lr` and `--validation` take. Swift's
/// `Double(String)` also reads hexadecimal (`0x10` is 16), `inf` and `nan`, which no one means.
struct DecimalNumber: ExpressibleByArgument {
    var value: Double

    init?(argument: String) {
        let allowed = Set("0123456789.eE+-")
        guard !argument.isEmpty, argument.allSatisfy(allowed.contains), argument.contains(where: \.isNumber),
              let v = Double(argument), v.isFinite else { return nil }
        value = v
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
