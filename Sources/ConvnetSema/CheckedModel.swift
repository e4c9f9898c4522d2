import ConvnetSyntax
import ConvnetInterface

/// Where the input shape came from; `summary` says which.
public enum InputSource: String, Sendable {
    /// An `input HxWxC` line in the file.
    case file
    /// The `--input HxWxC` flag.
    case flag
    /// Neither: the default 192x192x3 of the flowers codelab.
    case defaultShape = "default"
}

/// Where a node of the model graph takes an input from.
public enum LayerInput: Hashable, Sendable {
    /// The model's input images.
    case modelInput
    /// The output of `CheckedModel.layers[i]`.
    case layer(Int)
}

/// One node of the model graph after shape inference, with the figures Keras' `summary()`
/// shows and more.
public struct CheckedLayer: Sendable {
    /// Position in `CheckedModel.layers`.
    public var index: Int
    /// The layer statement that made the node; for a merge node, a declaration synthesised at
    /// the `concat`, `add` or `residual` keyword.
    public var decl: LayerDecl
    /// What the node reads, in order: one input for every kind but the merges, which have two
    /// or more. Every input comes earlier in `CheckedModel.layers` (topological order).
    public var inputs: [LayerInput]
    /// The shapes of `inputs`, in the same order.
    public var inputShapes: [TensorShape]
    /// For a node made by a block call, the calls that expanded it, outermost first (empty for
    /// a node written at the top level).
    public var callSites: [SourceRange]
    /// Keras' automatic name: `conv2d`, `conv2d_1`, `max_pooling2d`, ...
    public var name: String
    /// Keras' class name: `Conv2D`, `MaxPooling2D`, ...
    public var kerasType: String
    /// The first input's shape (the only one for every kind but the merges).
    public var inputShape: TensorShape { inputShapes[0] }
    public var outputShape: TensorShape
    public var params: Int
    public var trainableParams: Int
    /// Multiply-accumulates for one example's forward pass (convolutions and dense layers only).
    public var macs: Int
    /// Bytes of this layer's fp32 output for one example.
    public var activationBytes: Int

    public var kind: LayerKind { decl.kind }
    public var nonTrainableParams: Int { params - trainableParams }

    public init(index: Int, decl: LayerDecl, inputs: [LayerInput], inputShapes: [TensorShape],
                callSites: [SourceRange] = [], name: String, kerasType: String,
                outputShape: TensorShape, params: Int,
                trainableParams: Int, macs: Int, activationBytes: Int) {
        self.index = index
        self.decl = decl
        self.inputs = inputs
        self.inputShapes = inputShapes
        self.callSites = callSites
        self.name = name
        self.kerasType = kerasType
        self.outputShape = outputShape
        self.params = params
        self.trainableParams = trainableParams
        self.macs = macs
        self.activationBytes = activationBytes
    }
}

/// Training settings with every default filled in; CLI flags override these later. The settings
/// the runtime is told are ConvnetInterface's `TrainDefaults` (the one place of their defaults),
/// read and set through this value's members (`train.batch`); label smoothing is compiled into
/// the training step's loss, so only the compiler keeps it.
@dynamicMemberLookup
public struct TrainSettings: Hashable, Sendable {
    /// What `ModelDescription.train` carries to the runtime.
    public var defaults = TrainDefaults()
    /// `label_smoothing S`: the cross-entropy's targets are `onehot * (1 - S) + S / K`.
    public var labelSmoothing: Double = 0

    public init() {}

    public subscript<Value>(dynamicMember setting: WritableKeyPath<TrainDefaults, Value>) -> Value {
        get { defaults[keyPath: setting] }
        set { defaults[keyPath: setting] = newValue }
    }
}

/// A model that passed the semantic pass: every shape is known and every count is exact.
///
/// The model is a graph: `layers` are its nodes in topological order (the textual order after
/// block calls and merges are expanded, which is also the order Keras names them in), each with
/// explicit `inputs`. The last node is the model's output. A sequential file is the special case
/// where node i reads node i-1.
public struct CheckedModel: Sendable {
    public var file: ModelFile
    public var inputShape: TensorShape
    public var inputSource: InputSource
    /// The graph's nodes in topological order.
    public var layers: [CheckedLayer]
    public var train: TrainSettings

    public init(file: ModelFile, inputShape: TensorShape, inputSource: InputSource,
                layers: [CheckedLayer], train: TrainSettings) {
        self.file = file
        self.inputShape = inputShape
        self.inputSource = inputSource
        self.layers = layers
        self.train = train
    }

    public var totalParams: Int { layers.reduce(0) { $0 + $1.params } }
    public var trainableParams: Int { layers.reduce(0) { $0 + $1.trainableParams } }
    public var nonTrainableParams: Int { totalParams - trainableParams }
    public var totalMACs: Int { layers.reduce(0) { $0 + $1.macs } }
    public var totalActivationBytes: Int { layers.reduce(0) { $0 + $1.activationBytes } }
    /// The shape of the model's output (one example).
    public var outputShape: TensorShape { layers.last?.outputShape ?? inputShape }
    /// The number of classes the head predicts.
    public var classCount: Int { outputShape.channels }

    /// The name of what an input refers to: a layer's Keras name, or `input` for the images.
    public func name(of input: LayerInput) -> String {
        switch input {
        case .modelInput: "input"
        case .layer(let i): layers[i].name
        }
    }

    /// The shape of what an input refers to.
    public func shape(of input: LayerInput) -> TensorShape {
        switch input {
        case .modelInput: inputShape
        case .layer(let i): layers[i].outputShape
        }
    }

    /// True when every node reads only the node before it (the first reads the images): a
    /// Keras Sequential model.
    public var isSequential: Bool {
        layers.allSatisfy { $0.inputs == [$0.index == 0 ? .modelInput : .layer($0.index - 1)] }
    }

    /// For each node, the nodes that read its output, in order.
    public var consumers: [[Int]] {
        var out = [[Int]](repeating: [], count: layers.count)
        for layer in layers {
            for case .layer(let i) in layer.inputs where !out[i].contains(layer.index) { out[i].append(layer.index) }
        }
        return out
    }
}
