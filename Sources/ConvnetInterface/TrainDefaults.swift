/// A model's `train { ... }` block with the language's defaults filled in: what a run uses
/// unless a flag overrides it (`TrainingConfiguration`).
public struct TrainDefaults: Hashable, Sendable {
    /// The data folder (already resolved against the model file's folder) or `synthetic:...`.
    public var dataPath: String?
    /// `validation_data "GLOB"`: the validation TFRecord shards, resolved like `dataPath`.
    public var validationDataPath: String?
    public var validation: Double
    public var batch: Int
    public var epochs: Int
    public var optimizer: OptimizerSetting
    public var schedule: ScheduleSetting
    public var seed: Int
    /// `augment flip`, `augment crop`.
    public var flip: Bool
    public var crop: Bool

    public init(dataPath: String? = nil, validationDataPath: String? = nil, validation: Double = 0.19, batch: Int = 32, epochs: Int = 20,
                optimizer: OptimizerSetting = .adam(learningRate: 0.001), schedule: ScheduleSetting = .constant,
                seed: Int = 1, flip: Bool = false, crop: Bool = false) {
        self.dataPath = dataPath
        self.validationDataPath = validationDataPath
        self.validation = validation
        self.batch = batch
        self.epochs = epochs
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.flip = flip
        self.crop = crop
    }
}

/// The update rule of a training step. Adam uses Keras' beta1 0.9, beta2 0.999, epsilon 1e-7.
public enum OptimizerSetting: Hashable, Sendable {
    case adam(learningRate: Double)
    case sgd(learningRate: Double, momentum: Double)

    public var learningRate: Double {
        switch self {
        case .adam(let lr): lr
        case .sgd(let lr, _): lr
        }
    }

    /// The same rule with another learning rate (`--lr`). The rate is an input of the compiled
    /// step, so two settings that differ only in it run the same program.
    public func with(learningRate lr: Double) -> OptimizerSetting {
        switch self {
        case .adam: .adam(learningRate: lr)
        case .sgd(_, let momentum): .sgd(learningRate: lr, momentum: momentum)
        }
    }
}

/// The learning rate per epoch.
public enum ScheduleSetting: Hashable, Sendable {
    case constant
    case cosine
    case exponential(decay: Double)
}
