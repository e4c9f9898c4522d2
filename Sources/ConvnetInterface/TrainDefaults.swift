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

/// The update rule of a training step: the train block's `optimizer ...`, which the parser
/// builds once it has checked the values (lr > 0; 0 <= M < 1; 0 <= W < 1).
public enum OptimizerSetting: Hashable, Sendable {
    /// `optimizer adam lr X`, with Keras' beta1 0.9, beta2 0.999, epsilon 1e-7.
    case adam(learningRate: Double)
    /// `optimizer adamw lr X [weight_decay W]`: Adam with Keras 3's decoupled weight decay
    /// (`AdamW`: `w -= lr * W * w` before the Adam step); W defaults to Keras' 0.004.
    case adamw(learningRate: Double, weightDecay: Double)
    /// `optimizer sgd lr X [momentum M] [nesterov]`: SGD, with momentum and Nesterov's
    /// look-ahead as Keras 3's `SGD`.
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

/// The learning rate per epoch: the train block's `schedule constant` | `schedule cosine` |
/// `schedule exponential D` | `schedule ramp [start X] [max X] [min X] [rampup N] [sustain N]
/// [decay D]`, as the parser checked it.
public enum ScheduleSetting: Hashable, Sendable {
    case constant
    case cosine
    /// `lr * decay^epoch`; 0 < decay <= 1.
    case exponential(decay: Double)
    /// The codelab's ramp; it sets the rate itself (the optimizer's `lr` is not used).
    case ramp(RampSchedule)
}

/// One augmentation of the train block (`augment ...`), with its arguments as written; the
/// parser checked the ranges below before building it.
public enum AugmentationSetting: Hashable, Sendable {
    /// `flip`: mirror left-right with probability 1/2.
    case flip
    /// `crop`: a random shift of up to 1/8 of the size, edges repeated (CIFAR-style).
    case crop
    /// `crop P`: a random window of P of each side, resized back; 0 < P <= 1.
    case cropWindow(fraction: Double)
    /// `zoom Z`: Keras' `RandomZoom(Z)`, a factor uniform in [1 - Z, 1 + Z]; 0 < Z < 1.
    case zoom(Double)
    /// `brightness D`: add a delta uniform in [-D, D]; 0 <= D <= 1.
    case brightness(delta: Double)
    /// `contrast L U`: a contrast factor uniform in [L, U]; 0 <= L <= U.
    case contrast(lower: Double, upper: Double)
    /// `saturation L U`: a saturation factor uniform in [L, U]; 0 <= L <= U.
    case saturation(lower: Double, upper: Double)

    /// The word that names it in a file (`crop P` is a `crop` too: one of the two at a time).
    public var name: String {
        switch self {
        case .flip: "flip"
        case .crop, .cropWindow: "crop"
        case .zoom: "zoom"
        case .brightness: "brightness"
        case .contrast: "contrast"
        case .saturation: "saturation"
        }
    }
}
