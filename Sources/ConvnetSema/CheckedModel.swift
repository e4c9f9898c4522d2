import ConvnetSyntax

/// Where the input shape came from; `summary` says which.
public enum InputSource: String, Sendable {
    /// An `input HxWxC` line in the file.
    case file
    /// The `--input HxWxC` flag.
    case flag
    /// Neither: the default 192x192x3 of the flowers codelab.
    case defaultShape = "default"
}

/// One layer after shape inference, with the figures Keras' `summary()` shows and more.
public struct CheckedLayer: Sendable {
    /// Position in `CheckedModel.layers`.
    public var index: Int
    public var decl: LayerDecl
    /// Keras' automatic name: `conv2d`, `conv2d_1`, `max_pooling2d`, ...
    public var name: String
    /// Keras' class name: `Conv2D`, `MaxPooling2D`, ...
    public var kerasType: String
    public var inputShape: TensorShape
    public var outputShape: TensorShape
    public var params: Int
    public var trainableParams: Int
    /// Multiply-accumulates for one example's forward pass (convolutions and dense layers only).
    public var macs: Int
    /// Bytes of this layer's fp32 output for one example.
    public var activationBytes: Int

    public var kind: LayerKind { decl.kind }
    public var nonTrainableParams: Int { params - trainableParams }

    public init(index: Int, decl: LayerDecl, name: String, kerasType: String,
                inputShape: TensorShape, outputShape: TensorShape, params: Int,
                trainableParams: Int, macs: Int, activationBytes: Int) {
        self.index = index
        self.decl = decl
        self.name = name
        self.kerasType = kerasType
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.params = params
        self.trainableParams = trainableParams
        self.macs = macs
        self.activationBytes = activationBytes
    }
}

/// Training settings with every default filled in; CLI flags override these later.
public struct TrainSettings: Hashable, Sendable {
    /// The data folder resolved against the model file's folder, if the file names one.
    public var dataPath: String?
    /// `validation_data "GLOB"`: the validation TFRecord shards, resolved like `dataPath`.
    public var validationDataPath: String?
    public var validation: Double = 0.19
    public var batch: Int = 32
    public var epochs: Int = 20
    public var optimizer: OptimizerDecl = .adam(learningRate: 0.001)
    public var schedule: ScheduleDecl = .constant
    public var seed: Int = 1
    public var augment: [Augmentation] = []

    public init() {}
}

/// A model that passed the semantic pass: every shape is known and every count is exact.
public struct CheckedModel: Sendable {
    public var file: ModelFile
    public var inputShape: TensorShape
    public var inputSource: InputSource
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
}
