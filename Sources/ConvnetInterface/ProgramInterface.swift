/// Which of a model's two programs.
public enum ProgramKind: String, Hashable, Sendable { case inference, trainingStep = "training_step" }

/// Names of the per-call inputs and outputs besides weights and slots.
public enum ProgramNames {
    /// `f32[B,H,W,C]`
    public static let images = "images"
    /// `i32[B]`, class indices
    public static let labels = "labels"
    /// `f32[]`: the 1-based step number t used by Adam's bias correction.
    public static let step = "step"
    /// `f32[]`: this step's learning rate, so schedules need no recompilation.
    public static let learningRate = "learning_rate"
    /// `i32[]`: the dropout seed for this step (only present when the model has dropout).
    public static let dropoutSeed = "dropout_seed"
    /// Inference output `f32[B,K]`.
    public static let probabilities = "probabilities"
    /// Training output `f32[]`: mean cross-entropy over the batch.
    public static let loss = "loss"
    /// Training output `f32[]`: rows whose argmax equals the label.
    public static let correct = "correct"
}

/// One named input or output of a program.
public struct TensorSpec: Hashable, Sendable {
    public enum Element: String, Hashable, Sendable { case f32, i32 }
    public var name: String
    public var element: Element
    public var shape: [Int]

    public init(_ name: String, _ element: Element, _ shape: [Int]) {
        self.name = name
        self.element = element
        self.shape = shape
    }

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A program seen from outside: what the trainer writes and reads, by name. Every backend's
/// program has one (the IR's `IRProgram.interface`; a native binary's is emitted as a literal).
public struct ProgramInterface: Hashable, Sendable {
    public var kind: ProgramKind
    /// The batch size fixed into every shape.
    public var batch: Int
    /// The model's weights in layer order; each is an input under its name, and in a training
    /// step also an output (its new value).
    public var parameters: [ParameterInfo]
    /// Optimizer slots (training step only), zero-initialised; inputs and outputs like weights.
    public var optimizerSlots: [ParameterInfo]
    /// Every input, weights and slots included.
    public var inputs: [TensorSpec]
    public var outputs: [TensorSpec]

    public init(kind: ProgramKind, batch: Int, parameters: [ParameterInfo], optimizerSlots: [ParameterInfo],
                inputs: [TensorSpec], outputs: [TensorSpec]) {
        self.kind = kind
        self.batch = batch
        self.parameters = parameters
        self.optimizerSlots = optimizerSlots
        self.inputs = inputs
        self.outputs = outputs
    }

    public func input(named name: String) -> TensorSpec? { inputs.first { $0.name == name } }
}
