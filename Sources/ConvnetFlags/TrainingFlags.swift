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
    public var lr: Double?

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
    public var validation: Double?

    @Flag(help: "Continue from the latest checkpoint in the run folder.")
    public var resume = false

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
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number") }
        if let seed, seed < 0 { throw ValidationError("--seed must be 0 or more") }
        if let validation, !(0..<1).contains(validation) { throw ValidationError("--validation must be in [0, 1)") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
    }

    public var options: TrainingOptions {
        TrainingOptions(epochs: epochs, batch: batch, learningRate: lr, data: data, seed: seed,
                        validation: validation, resume: resume, outputDirectory: out, workers: workers,
                        validationData: validationData, imageKey: imageKey, labelKey: labelKey, initFrom: initFrom)
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
        if let v = o.outputDirectory { args += ["--out", v] }
        if let v = o.workers { args += ["--workers", String(v)] }
        if let v = o.validationData { args += ["--validation-data", v] }
        if let v = o.imageKey { args += ["--image-key", v] }
        if let v = o.labelKey { args += ["--label-key", v] }
        if let v = o.initFrom { args += ["--init-from", v] }
        return args
    }
}
