/// The syntax tree of one `.convnet` file. Every node keeps the source range it came from so
/// that later stages (shapes, lint) can point at the offending text.

/// A value together with the source text it was written as.
public struct Spanned<Value: Sendable>: Sendable {
    public var value: Value
    public var range: SourceRange

    public init(_ value: Value, _ range: SourceRange) {
        self.value = value
        self.range = range
    }
}

extension Spanned: Equatable where Value: Equatable {}
extension Spanned: Hashable where Value: Hashable {}

public enum Activation: String, CaseIterable, Hashable, Sendable {
    case relu, softmax, sigmoid, tanh, linear
}

public enum Padding: String, CaseIterable, Hashable, Sendable {
    case same, valid
}

/// `input HxWxC`
public struct InputDecl: Hashable, Sendable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var range: SourceRange

    public init(height: Int, width: Int, channels: Int, range: SourceRange) {
        self.height = height
        self.width = width
        self.channels = channels
        self.range = range
    }
}

/// `conv KHxKWxF [stride S] [padding same|valid] [ACT]`
public struct ConvDecl: Hashable, Sendable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var filters: Int
    public var stride: Int
    public var padding: Padding
    public var activation: Activation

    public init(kernelHeight: Int, kernelWidth: Int, filters: Int, stride: Int = 1,
                padding: Padding = .same, activation: Activation = .linear) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.filters = filters
        self.stride = stride
        self.padding = padding
        self.activation = activation
    }
}

/// `maxpool P [stride S]` / `avgpool P [stride S]`: valid padding, stride defaults to P.
public struct PoolDecl: Hashable, Sendable {
    public var size: Int
    public var stride: Int

    public init(size: Int, stride: Int? = nil) {
        self.size = size
        self.stride = stride ?? size
    }
}

/// `dense N [ACT]`
public struct DenseDecl: Hashable, Sendable {
    public var units: Int
    public var activation: Activation

    public init(units: Int, activation: Activation = .linear) {
        self.units = units
        self.activation = activation
    }
}

public enum LayerKind: Hashable, Sendable {
    case conv(ConvDecl)
    case maxPool(PoolDecl)
    case avgPool(PoolDecl)
    /// `gap`
    case globalAveragePool
    case flatten
    case dense(DenseDecl)
    /// `dropout R`, 0 <= R < 1
    case dropout(rate: Double)
    case batchNorm

    /// The activation applied by the layer, if it has one.
    public var activation: Activation? {
        switch self {
        case .conv(let c): c.activation
        case .dense(let d): d.activation
        default: nil
        }
    }
}

/// One layer statement.
public struct LayerDecl: Hashable, Sendable {
    public var kind: LayerKind
    /// The whole statement, from the keyword to its last token.
    public var range: SourceRange
    /// The layer keyword (`conv`, `dense`, ...): where layer-level diagnostics point.
    public var keywordRange: SourceRange
    /// The activation word, when one was written.
    public var activationRange: SourceRange?

    public init(kind: LayerKind, range: SourceRange, keywordRange: SourceRange,
                activationRange: SourceRange? = nil) {
        self.kind = kind
        self.range = range
        self.keywordRange = keywordRange
        self.activationRange = activationRange
    }
}

public enum OptimizerDecl: Hashable, Sendable {
    /// `optimizer adam lr X` (Keras defaults beta1 0.9, beta2 0.999, epsilon 1e-7)
    case adam(learningRate: Double)
    /// `optimizer sgd lr X [momentum M]`
    case sgd(learningRate: Double, momentum: Double)

    public var learningRate: Double {
        switch self {
        case .adam(let lr): lr
        case .sgd(let lr, _): lr
        }
    }
}

/// `schedule constant` | `schedule cosine` | `schedule exponential D` (lr * D^epoch)
public enum ScheduleDecl: Hashable, Sendable {
    case constant
    case cosine
    case exponential(decay: Double)
}

/// `augment flip` / `augment crop`
public enum Augmentation: String, CaseIterable, Hashable, Sendable {
    case flip, crop
}

/// `train { ... }`: settings for training, each optional and validated by the parser.
public struct TrainBlock: Hashable, Sendable {
    public var range: SourceRange
    /// `data "PATH"`: relative to the model file's folder.
    public var data: Spanned<String>?
    /// `validation_data "GLOB"`: the validation TFRecord shards, relative to the model file's folder.
    public var validationData: Spanned<String>?
    /// `validation F`, 0 <= F < 1
    public var validation: Spanned<Double>?
    public var batch: Spanned<Int>?
    public var epochs: Spanned<Int>?
    public var optimizer: Spanned<OptimizerDecl>?
    public var schedule: Spanned<ScheduleDecl>?
    public var seed: Spanned<Int>?
    public var augment: [Spanned<Augmentation>]

    public init(range: SourceRange, data: Spanned<String>? = nil, validation: Spanned<Double>? = nil,
                batch: Spanned<Int>? = nil, epochs: Spanned<Int>? = nil,
                optimizer: Spanned<OptimizerDecl>? = nil, schedule: Spanned<ScheduleDecl>? = nil,
                seed: Spanned<Int>? = nil, augment: [Spanned<Augmentation>] = [],
                validationData: Spanned<String>? = nil) {
        self.range = range
        self.data = data
        self.validationData = validationData
        self.validation = validation
        self.batch = batch
        self.epochs = epochs
        self.optimizer = optimizer
        self.schedule = schedule
        self.seed = seed
        self.augment = augment
    }
}

/// A `#` comment; lint reads `# lint: disable=ID` from these.
public struct Comment: Hashable, Sendable {
    /// The text after `#`, untrimmed.
    public var text: String
    public var range: SourceRange

    public init(text: String, range: SourceRange) {
        self.text = text
        self.range = range
    }
}

/// A parsed `.convnet` file.
public struct ModelFile: Sendable {
    public var source: SourceFile
    public var input: InputDecl?
    public var layers: [LayerDecl]
    public var train: TrainBlock?
    public var comments: [Comment]

    public init(source: SourceFile, input: InputDecl? = nil, layers: [LayerDecl] = [],
                train: TrainBlock? = nil, comments: [Comment] = []) {
        self.source = source
        self.input = input
        self.layers = layers
        self.train = train
        self.comments = comments
    }
}
