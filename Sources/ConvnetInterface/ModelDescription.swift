/// A model as the training loop sees it: constants, no syntax. The compiler builds it from a
/// checked model; a generated native binary carries it as a literal, so the runtime never
/// parses a `.convnet` file.
public struct ModelDescription: Hashable, Sendable {
    /// The model file's path as given (run folders are named after it; messages quote it).
    public var path: String
    /// One example's image: (H, W, C).
    public var inputShape: InputShape
    /// Classes the last layer predicts.
    public var classCount: Int
    /// Multiply-accumulates of one image's forward pass (`summary`'s total), for the run's
    /// `summary.json`; nil when not known.
    public var macs: Int?
    /// The train block with every default filled in.
    public var train: TrainDefaults
    /// Every weight in layer order, under its Keras name (`conv2d/kernel`), Keras layout and initialiser.
    public var parameters: [ParameterInfo]
    /// `ModelHash.of(text:inputShape:)` of the model file: written into every checkpoint and
    /// compared on `--resume`.
    public var hash: String

    public init(path: String, inputShape: InputShape, classCount: Int, macs: Int? = nil, train: TrainDefaults,
                parameters: [ParameterInfo], hash: String) {
        self.path = path
        self.inputShape = inputShape
        self.classCount = classCount
        self.macs = macs
        self.train = train
        self.parameters = parameters
        self.hash = hash
    }

    /// Every weight's element count summed: Keras' "Total params" (moving statistics included).
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.elementCount } }

    /// The model's display name: the file name without folders and `.convnet`.
    public var name: String { Self.name(path: path) }

    /// `runs/flowers` for `samples/flowers.convnet`.
    public static func name(path: String) -> String {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".convnet") { name.removeLast(".convnet".count) }
        return name.isEmpty ? "model" : name
    }
}

/// An image's shape, height x width x channels.
public struct InputShape: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// `[H, W, C]`
    public var dims: [Int] { [height, width, channels] }
    public var elementCount: Int { height * width * channels }
    /// `192x192x3`, as the model hash and messages spell it.
    public var description: String { "\(height)x\(width)x\(channels)" }
}
