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
    /// `augment ...`, in the order written (the order they run in is fixed: `Augmentation`).
    public var augment: [AugmentationSetting]

    public init(dataPath: String? = nil, validationDataPath: String? = nil, validation: Double = 0.19, batch: Int = 32, epochs: Int = 20,
                optimizer: OptimizerSetting = .adam(learningRate: 0.001), schedule: ScheduleSetting = .constant,
                seed: Int = 1, augment: [AugmentationSetting] = []) {
        self.dataPath = dataPath
        self.validationDataPath = validationDataPath
        self.validation = validation
        self.batch = batch
        self.epochs = epochs
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.augment = augment
    }
}

/// The update rule of a training step. Adam uses Keras' beta1 0.9, beta2 0.999, epsilon 1e-7.
public enum OptimizerSetting: Hashable, Sendable {
    case adam(learningRate: Double)
    /// Adam with decoupled weight decay (Keras 3 `AdamW`).
    case adamw(learningRate: Double, weightDecay: Double)
    /// SGD, with momentum and Nesterov's look-ahead as Keras 3's `SGD`.
    case sgd(learningRate: Double, momentum: Double, nesterov: Bool = false)

    public var learningRate: Double {
        switch self {
        case .adam(let lr): lr
        case .adamw(let lr, _): lr
        case .sgd(let lr, _, _): lr
        }
    }

    /// The same rule with another learning rate (`--lr`). The rate is an input of the compiled
    /// step, so two settings that differ only in it run the same program.
    public func with(learningRate lr: Double) -> OptimizerSetting {
        switch self {
        case .adam: .adam(learningRate: lr)
        case .adamw(_, let decay): .adamw(learningRate: lr, weightDecay: decay)
        case .sgd(_, let momentum, let nesterov): .sgd(learningRate: lr, momentum: momentum, nesterov: nesterov)
        }
    }
}

/// The learning rate per epoch.
public enum ScheduleSetting: Hashable, Sendable {
    case constant
    case cosine
    case exponential(decay: Double)
    /// The codelab's ramp; it sets the rate itself (the optimizer's `lr` is not used).
    case ramp(RampSchedule)
}

/// One augmentation of the train block (`augment ...`), with its checked arguments.
public enum AugmentationSetting: Hashable, Sendable {
    /// Mirror left-right with probability 1/2.
    case flip
    /// A random shift of up to 1/8 of the size, edges repeated.
    case crop
    /// A random window of `fraction` of each side, resized back.
    case cropWindow(fraction: Double)
    /// Keras' `RandomZoom(factor)`.
    case zoom(Double)
    /// Add a delta uniform in [-delta, delta].
    case brightness(delta: Double)
    /// A contrast factor uniform in [lower, upper].
    case contrast(lower: Double, upper: Double)
    /// A saturation factor uniform in [lower, upper].
    case saturation(lower: Double, upper: Double)
}
