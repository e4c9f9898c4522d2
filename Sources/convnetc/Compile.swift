import ArgumentParser
import ConvnetDriver
import ConvnetFlags
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

    @OptionGroup var device: DeviceFlags

    @Option(name: .customLong("dump-ir"),
            help: "Print the IR --target runs, planned: `--dump-ir` the final plan, `--dump-ir=all` after every pass.")
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
            print(try withTrainingErrors { try DumpIR.text(checked, batch: batch, program: program, all: dumpIR == .all, target: target) },
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
            try requireCountableBatch(checked, training.batch ?? checked.train.batch)
            let status = try withTrainingErrors { try TrainingRun.run(checked, options: training.options, target: target, device: device.device) }
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
