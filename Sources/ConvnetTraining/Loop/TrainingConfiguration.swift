import ConvnetData
import ConvnetInterface
import Foundation

/// The settings one run uses: the model's `train` block (defaults filled in by Sema) with the
/// command-line overrides applied and checked, so the loop reads one value and never asks again
/// where a number came from.
public struct TrainingConfiguration: Sendable {
    /// The dataset spec (folder or `synthetic:...`) and where it came from, for messages.
    public var data: String?
    public var dataOrigin: String
    /// The validation shards (`--validation-data`, else the train block's `validation_data`).
    public var validationData: String?
    /// The tf.train.Example features read from TFRecord shards.
    public var schema: ExampleSchema
    public var validation: Double
    public var batch: Int
    public var epochs: Int
    public var optimizer: OptimizerSetting
    public var schedule: LearningRateSchedule
    public var seed: UInt64
    public var augmentation: ConvnetData.Augmentation
    public var resume: Bool
    /// `--init-from`: the weights a new run starts from.
    public var initFrom: URL?
    /// `--overwrite`: replace an earlier run's results in the folder.
    public var overwrite: Bool
    /// The run folder.
    public var outputDirectory: URL
    public var workers: Int

    /// Merges `options` over `model.train`. Throws `TrainingError.invalidOption` for values the
    /// parser would have refused in a file (batch 0, negative learning rate...).
    public init(model: ModelDescription, options: TrainingOptions) throws(TrainingError) {
        let train = model.train
        if let d = options.data {
            data = d
            dataOrigin = "--data"
        } else {
            data = train.dataPath
            dataOrigin = "the train block's data setting"
        }
        validationData = options.validationData ?? train.validationDataPath
        var schema = ExampleSchema.codelab
        if let key = options.imageKey { schema.imageKey = key }
        if let key = options.labelKey { schema.labelKey = key }
        self.schema = schema
        validation = options.validation ?? train.validation
        guard validation >= 0, validation < 1, validation.isFinite else {
            throw .invalidOption("--validation must be in [0, 1), got \(validation)")
        }
        batch = options.batch ?? train.batch
        guard batch >= 1 else { throw .invalidOption("--batch must be at least 1, got \(batch)") }
        epochs = options.epochs ?? train.epochs
        guard epochs >= 1 else { throw .invalidOption("--epochs must be at least 1, got \(epochs)") }
        var optimizer = train.optimizer
        if let lr = options.learningRate {
            guard lr > 0, lr.isFinite else { throw .invalidOption("--lr must be a positive number, got \(lr)") }
            optimizer = optimizer.with(learningRate: lr)
        }
        self.optimizer = optimizer
        let lr = optimizer.learningRate
        switch train.schedule {
        case .constant: schedule = .constant(lr)
        case .cosine: schedule = .cosine(initial: lr, totalEpochs: epochs)
        case .exponential(let decay): schedule = .exponential(initial: lr, decayRate: decay)
        case .ramp(var ramp):
            // The ramp sets the rate itself; --lr moves its peak.
            if let peak = options.learningRate { ramp.max = peak }
            schedule = .ramp(ramp)
        }
        let seedValue = options.seed ?? train.seed
        guard seedValue >= 0 else { throw .invalidOption("--seed must not be negative, got \(seedValue)") }
        seed = UInt64(seedValue)
        augmentation = ConvnetData.Augmentation(train.augment)
        resume = options.resume
        initFrom = options.initFrom.map { URL(fileURLWithPath: $0) }
        if resume, let from = options.initFrom {
            throw .invalidOption("--init-from \(from) starts a new run but --resume continues the last one\n"
                + "help: pass one of them")
        }
        overwrite = options.overwrite
        if let out = options.outputDirectory, out.isEmpty {
            throw .invalidOption("--out needs a folder name; '' would write into the current folder")
        }
        outputDirectory = URL(fileURLWithPath: options.outputDirectory
            ?? "runs/" + model.name)
        workers = max(1, options.workers ?? ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The checkpoint's optimizer kind: which slots it keeps (AdamW keeps Adam's).
    public var optimizerKind: OptimizerKind {
        switch optimizer {
        case .adam, .adamw: .adam
        case .sgd: .sgd
        }
    }
}
