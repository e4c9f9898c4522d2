import ConvnetInterface

/// The syntax tree of one `.convnet` file. Every node keeps the source range it came from so
/// that later stages (shapes, lint) can point at the offending text. The train block's values
/// (optimizer, schedule, augmentations) are the runtime's own types from ConvnetInterface: the
/// parser checks them and builds them directly, so there is one definition of each setting.

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

/// `conv KHxKWxF [stride S] [padding same|valid] [bias off] [ACT]`
public struct ConvDecl: Hashable, Sendable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var filters: Int
    public var stride: Int
    public var padding: Padding
    public var activation: Activation
    /// False for `bias off` (Keras `use_bias=False`).
    public var useBias: Bool

    public init(kernelHeight: Int, kernelWidth: Int, filters: Int, stride: Int = 1,
                padding: Padding = .same, activation: Activation = .linear, useBias: Bool = true) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.filters = filters
        self.stride = stride
        self.padding = padding
        self.activation = activation
        self.useBias = useBias
    }
}

/// `dwconv KHxKW [stride S] [multiplier M] [padding same|valid] [ACT]` (Keras DepthwiseConv2D):
/// each input channel gets its own M filters, so there is no filter count.
public struct DepthwiseConvDecl: Hashable, Sendable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var multiplier: Int
    public var padding: Padding
    public var activation: Activation

    public init(kernelHeight: Int, kernelWidth: Int, stride: Int = 1, multiplier: Int = 1,
                padding: Padding = .same, activation: Activation = .linear) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.multiplier = multiplier
        self.padding = padding
        self.activation = activation
    }
}

/// `sepconv KHxKWxF [stride S] [multiplier M] [padding same|valid] [ACT]` (Keras
/// SeparableConv2D): a depthwise convolution, then a 1x1 convolution to F filters, one bias.
public struct SeparableConvDecl: Hashable, Sendable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var filters: Int
    public var stride: Int
    public var multiplier: Int
    public var padding: Padding
    public var activation: Activation

    public init(kernelHeight: Int, kernelWidth: Int, filters: Int, stride: Int = 1, multiplier: Int = 1,
                padding: Padding = .same, activation: Activation = .linear) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.filters = filters
        self.stride = stride
        self.multiplier = multiplier
        self.padding = padding
        self.activation = activation
    }
}

/// `maxpool P [stride S] [padding same|valid]` / `avgpool ...`: stride defaults to P, padding
/// to valid (Keras' defaults).
public struct PoolDecl: Hashable, Sendable {
    public var size: Int
    public var stride: Int
    public var padding: Padding

    public init(size: Int, stride: Int? = nil, padding: Padding = .valid) {
        self.size = size
        self.stride = stride ?? size
        self.padding = padding
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

/// `batchnorm [momentum M] [epsilon E]`, Keras' defaults 0.99 and 0.001.
public struct BatchNormDecl: Hashable, Sendable {
    public static let defaultMomentum = 0.99
    public static let defaultEpsilon = 1e-3

    public var momentum: Double
    public var epsilon: Double

    public init(momentum: Double = BatchNormDecl.defaultMomentum, epsilon: Double = BatchNormDecl.defaultEpsilon) {
        self.momentum = momentum
        self.epsilon = epsilon
    }
}

/// What one node of the model graph does. Layer statements produce every kind but the merges;
/// `concat { ... }` makes `.concat`, `add { ... }` and `residual { ... }` make `.add`.
public enum LayerKind: Hashable, Sendable {
    case conv(ConvDecl)
    case depthwiseConv(DepthwiseConvDecl)
    case separableConv(SeparableConvDecl)
    case maxPool(PoolDecl)
    case avgPool(PoolDecl)
    /// `gap`
    case globalAveragePool
    case flatten
    case dense(DenseDecl)
    /// `dropout R`, 0 <= R < 1
    case dropout(rate: Double)
    case batchNorm(BatchNormDecl)
    /// `activation ACT`: a standalone Keras Activation layer.
    case activation(Activation)
    /// Branches joined on the channel axis (Keras Concatenate); two or more inputs.
    case concat
    /// Branches of one shape summed (Keras Add); two or more inputs.
    case add
}

/// A number of a layer statement that a block parameter stands for (`conv 1x1x{squeeze}`):
/// which number, and the parameter's name and place. Substituted when the block is expanded.
public struct Placeholder: Hashable, Sendable {
    public enum Slot: String, Hashable, Sendable {
        case kernelHeight = "kernel height", kernelWidth = "kernel width", filters = "filter count"
        case stride, multiplier, poolSize = "pool size", units = "unit count"
        case dropoutRate = "dropout rate", momentum, epsilon
    }

    public var slot: Slot
    public var name: String
    public var range: SourceRange

    public init(slot: Slot, name: String, range: SourceRange) {
        self.slot = slot
        self.name = name
        self.range = range
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
    /// The `{name}`s written in place of numbers (inside a block definition only); the numbers
    /// they stand for hold placeholders' values only after expansion.
    public var placeholders: [Placeholder]

    public init(kind: LayerKind, range: SourceRange, keywordRange: SourceRange,
                activationRange: SourceRange? = nil, placeholders: [Placeholder] = []) {
        self.kind = kind
        self.range = range
        self.keywordRange = keywordRange
        self.activationRange = activationRange
        self.placeholders = placeholders
    }
}

/// `concat { branch {...} ... }` or `add { branch {...} ... }`.
public enum MergeKind: String, Hashable, Sendable {
    case concat, add
}

/// `branch { statements }`: one input of a merge; empty is the identity.
public struct BranchDecl: Hashable, Sendable {
    public var body: [Statement]
    public var range: SourceRange
    public var keywordRange: SourceRange

    public init(body: [Statement], range: SourceRange, keywordRange: SourceRange) {
        self.body = body
        self.range = range
        self.keywordRange = keywordRange
    }
}

/// A merge: every branch receives the statement's input; their outputs are joined.
public struct MergeDecl: Hashable, Sendable {
    public var kind: MergeKind
    public var branches: [BranchDecl]
    public var range: SourceRange
    public var keywordRange: SourceRange

    public init(kind: MergeKind, branches: [BranchDecl], range: SourceRange, keywordRange: SourceRange) {
        self.kind = kind
        self.branches = branches
        self.range = range
        self.keywordRange = keywordRange
    }
}

/// `residual { statements }`: the body's output plus the input (Keras Add).
public struct ResidualDecl: Hashable, Sendable {
    public var body: [Statement]
    public var range: SourceRange
    public var keywordRange: SourceRange

    public init(body: [Statement], range: SourceRange, keywordRange: SourceRange) {
        self.body = body
        self.range = range
        self.keywordRange = keywordRange
    }
}

/// An argument of a block call: a number, or (inside another block) one of its parameters.
public enum BlockArgument: Hashable, Sendable {
    case literal(Int)
    case parameter(String)
}

/// `NAME(args)`: expands the block in place.
public struct CallDecl: Hashable, Sendable {
    public var name: Spanned<String>
    public var arguments: [Spanned<BlockArgument>]
    public var range: SourceRange

    public init(name: Spanned<String>, arguments: [Spanned<BlockArgument>], range: SourceRange) {
        self.name = name
        self.arguments = arguments
        self.range = range
    }
}

/// `block NAME(params) { statements }` at the top level: a definition, not a layer.
public struct BlockDecl: Hashable, Sendable {
    public var name: Spanned<String>
    public var parameters: [Spanned<String>]
    public var body: [Statement]
    public var range: SourceRange
    public var keywordRange: SourceRange

    public init(name: Spanned<String>, parameters: [Spanned<String>], body: [Statement],
                range: SourceRange, keywordRange: SourceRange) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.range = range
        self.keywordRange = keywordRange
    }
}

/// One statement of the model: a layer, a merge, a residual, or a block call. Statements in a
/// list run one after the other, each taking the previous one's output.
public indirect enum Statement: Hashable, Sendable {
    case layer(LayerDecl)
    case merge(MergeDecl)
    case residual(ResidualDecl)
    case call(CallDecl)

    /// The statement's whole source range.
    public var range: SourceRange {
        switch self {
        case .layer(let l): l.range
        case .merge(let m): m.range
        case .residual(let r): r.range
        case .call(let c): c.range
        }
    }
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
    public var optimizer: Spanned<OptimizerSetting>?
    public var schedule: Spanned<ScheduleSetting>?
    public var seed: Spanned<Int>?
    /// `augment ...`, in the order written; a repeated one is warned about and kept once.
    public var augment: [Spanned<AugmentationSetting>]
    /// `label_smoothing S`, 0 <= S < 1
    public var labelSmoothing: Spanned<Double>?

    public init(range: SourceRange, data: Spanned<String>? = nil, validation: Spanned<Double>? = nil,
                batch: Spanned<Int>? = nil, epochs: Spanned<Int>? = nil,
                optimizer: Spanned<OptimizerSetting>? = nil, schedule: Spanned<ScheduleSetting>? = nil,
                seed: Spanned<Int>? = nil, augment: [Spanned<AugmentationSetting>] = [],
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

/// A parsed `.convnet` file: the syntax tree as written. The semantic pass expands block calls
/// and merges into the model graph (`CheckedModel.layers`).
public struct ModelFile: Sendable {
    public var source: SourceFile
    public var input: InputDecl?
    /// The model's top-level statements, in order (well-formed ones only).
    public var statements: [Statement]
    /// `block` definitions, in order, wherever they stand at the top level.
    public var blocks: [BlockDecl]
    public var train: TrainBlock?
    public var comments: [Comment]

    public init(source: SourceFile, input: InputDecl? = nil, statements: [Statement] = [],
                blocks: [BlockDecl] = [], train: TrainBlock? = nil, comments: [Comment] = []) {
        self.source = source
        self.input = input
        self.statements = statements
        self.blocks = blocks
        self.train = train
        self.comments = comments
    }

    /// The top-level layer statements: for a sequential file (no merges, no calls) the whole
    /// model. Setting it makes the file that sequence (hand-built models in tests).
    public var layers: [LayerDecl] {
        get {
            statements.compactMap { if case .layer(let l) = $0 { l } else { nil } }
        }
        set { statements = newValue.map(Statement.layer) }
    }
}
