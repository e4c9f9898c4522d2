import ArgumentParser
import ConvnetTraining

/// The training overrides of `convnetc FILE --run`, `convnetc evaluate` and a native binary's
/// `train` and `evaluate`: one set of ArgumentParser types, so the two command lines cannot
/// drift apart. `arguments(for:)` spells `TrainingOptions` back as these flags, which is how
/// `convnetc --target native` hands its settings to the binary.
public struct TrainingFlags: ParsableArguments {
    @Option(help: "Epochs to train (a resumed run continues up to this total).")
    public var epochs: Int?

    @Option(help: "Batch size.")
    public var batch: Int?

    @Option(help: "Learning rate (keeps the optimizer's kind and momentum).")
    public var lr: DecimalNumber?

    @Option(help: "Data: a folder of class sub-folders, a glob of TFRecord shards in quotes (\"flowers/*.tfrec\"), or synthetic:shapes[:CLASSES[:PER_CLASS]].")
    public var data: String?

    @Option(name: .customLong("validation-data"),
            help: "A glob of validation TFRecord shards (else the first round(F x shards) of --data are held out).")
    public var validationData: String?

    @Option(name: .customLong("image-key"), help: "The tf.train.Example feature holding the JPEG/PNG bytes (default image).")
    public var imageKey: String?

    @Option(name: .customLong("label-key"), help: "The tf.train.Example int64 feature holding the class index (default class).")
    public var labelKey: String?

    @Option(help: "Seed for initialisation, shuffling, augmentation and dropout.")
    public var seed: Int?

    @Option(help: "Validation fraction, 0 <= F < 1.")
    public var validation: DecimalNumber?

    @Flag(help: "Continue from the latest checkpoint in the run folder.")
    public var resume = false

    @Flag(help: "Replace the results of an earlier run in the run folder (without it such a run is refused).")
    public var overwrite = false

    @Option(help: "The run folder for checkpoints, metrics and plots (default runs/<model>).")
    public var out: String?

    @Option(help: ArgumentHelp("Image decoding threads (default: every core).", visibility: .hidden))
    public var workers: Int?

    @Option(name: .customLong("init-from"),
            help: "--run: start from these weights (a checkpoint, Keras-named safetensors or a Keras 3 .weights.h5); fresh optimizer state, epoch 1.")
    public var initFrom: String?

    public init() {}

    public func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let lr, !(lr.value > 0 && lr.value.isFinite) { throw ValidationError("--lr must be a positive number") }
        if let seed, seed < 0 { throw ValidationError("--seed must be 0 or more") }
        if let validation, !(0..<1).contains(validation.value) { throw ValidationError("--validation must be in [0, 1)") }
        if let out, out.isEmpty { throw ValidationError("--out needs a folder name ('' would write into the current folder)") }
        if resume && overwrite { throw ValidationError("--resume continues a run and --overwrite replaces it: pass one of them") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    /// The flags only a training run reads (given on this command line): an error on a command
    /// that would ignore them.
    public var runOnlyFlagsGiven: [String] {
        [("--epochs", epochs != nil), ("--lr", lr != nil), ("--data", data != nil), ("--seed", seed != nil),
         ("--validation-data", validationData != nil), ("--image-key", imageKey != nil), ("--label-key", labelKey != nil),
         ("--validation", validation != nil), ("--resume", resume), ("--overwrite", overwrite), ("--out", out != nil), ("--init-from", initFrom != nil)]
            .filter(\.1).map(\.0)
    }

    public var options: TrainingOptions {
        var options = TrainingOptions(epochs: epochs, batch: batch, learningRate: lr?.value, data: data, seed: seed,
                                      validation: validation?.value, resume: resume, outputDirectory: out, workers: workers,
                                      validationData: validationData, imageKey: imageKey, labelKey: labelKey, initFrom: initFrom)
        options.overwrite = overwrite
        return options
    }

    /// The flags that parse back to `options` (only those that are set).
    public static func arguments(for o: TrainingOptions) -> [String] {
        var args: [String] = []
        if let v = o.epochs { args += ["--epochs", String(v)] }
        if let v = o.batch { args += ["--batch", String(v)] }
        if let v = o.learningRate { args += ["--lr", "\(v)"] }
        if let v = o.data { args += ["--data", v] }
        if let v = o.seed { args += ["--seed", String(v)] }
        if let v = o.validation { args += ["--validation", "\(v)"] }
        if o.resume { args.append("--resume") }
        if o.overwrite { args.append("--overwrite") }
        if let v = o.outputDirectory { args += ["--out", v] }
        if let v = o.workers { args += ["--workers", String(v)] }
        if let v = o.validationData { args += ["--validation-data", v] }
        if let v = o.imageKey { args += ["--image-key", v] }
        if let v = o.labelKey { args += ["--label-key", v] }
        if let v = o.initFrom { args += ["--init-from", v] }
        return args
    }
}

/// A number written in decimal (`0.001`, `1e-3`): what `--lr` and `--validation` take. Swift's
/// `Double(String)` also reads hexadecimal (`0x10` is 16), `inf` and `nan`, which no one means.
public struct DecimalNumber: ExpressibleByArgument, Sendable {
    public var value: Double

    public init?(argument: String) {
        let allowed = Set("0123456789.eE+-")
        guard !argument.isEmpty, argument.allSatisfy(allowed.contains), argument.contains(where: \.isNumber),
              let v = Double(argument), v.isFinite else { return nil }
        value = v
    }
}
