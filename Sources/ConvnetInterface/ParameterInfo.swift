/// How a weight starts, as Keras initialises it.
public enum Initializer: Hashable, Sendable {
    /// Uniform in `[-limit, limit]` with `limit = sqrt(6 / (fanIn + fanOut))`. For a conv
    /// kernel `(KH,KW,Cin,F)`: fanIn = KH*KW*Cin, fanOut = KH*KW*F; dense `(in,out)`: in, out.
    case glorotUniform(fanIn: Int, fanOut: Int)
    case zeros
    case ones

    /// The glorot bound, or 0 for constant initialisers.
    public var limit: Double {
        if case .glorotUniform(let i, let o) = self { return (6.0 / Double(i + o)).squareRoot() }
        return 0
    }
}

/// One named tensor the trainer owns between steps: a model weight or an optimizer slot.
public struct ParameterInfo: Hashable, Sendable {
    /// Keras' weight name: `conv2d_1/kernel`, `batch_normalization/moving_mean`; slots append
    /// `/m`, `/v` (Adam) or `/velocity` (SGD with momentum) to their weight's name.
    public var name: String
    /// The layer it belongs to (`conv2d_1`).
    public var layer: String
    /// Keras layout: conv kernel `(KH,KW,Cin,F)`, dense kernel `(in,out)`, vectors `(C)`.
    public var shape: [Int]
    /// Updated by the optimizer (kernels, biases, gamma, beta); moving statistics and slots are not.
    public var trainable: Bool
    public var initializer: Initializer

    public init(name: String, layer: String, shape: [Int], trainable: Bool, initializer: Initializer) {
        self.name = name
        self.layer = layer
        self.shape = shape
        self.trainable = trainable
        self.initializer = initializer
    }

    public var elementCount: Int { shape.reduce(1, *) }
}
