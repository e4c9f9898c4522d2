/// A graph together with what a runner needs to feed it.
public struct IRProgram: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case inference, trainingStep = "training_step" }

    public var kind: Kind
    public var graph: Graph
    /// The model's weights in layer order (trainable and not). Each is an input of `graph` under
    /// its name; in a training step, each is also an output under the same name (its new value).
    public var parameters: [ParameterInfo]
    /// Optimizer slots (training step only), zero-initialised; inputs and outputs like weights.
    public var optimizerSlots: [ParameterInfo]
    /// The batch size fixed into every shape.
    public var batch: Int

    public init(kind: Kind, graph: Graph, parameters: [ParameterInfo], optimizerSlots: [ParameterInfo], batch: Int) {
        self.kind = kind
        self.graph = graph
        self.parameters = parameters
        self.optimizerSlots = optimizerSlots
        self.batch = batch
    }

    /// Names of the per-call inputs and outputs besides weights and slots.
    public enum Names {
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
}
