/// A graph together with what a runner needs to feed it.
public struct IRProgram: Hashable, Sendable {
    public typealias Kind = ProgramKind

    public var kind: Kind
    public var graph: Graph
    /// The model's weights in layer order (trainable and not). Each is an input of `graph` under
    /// its name; in a training step, each is also an output under the same name (its new value).
    public var parameters: [ParameterInfo]
    /// Optimizer slots (training step only), zero-initialised; inputs and outputs like weights.
    public var optimizerSlots: [ParameterInfo]
    /// The batch size fixed into every shape.
    public var batch: Int
    /// In a training step as `IRBuilder.trainingStep` built it: each trainable weight's gradient
    /// (by weight name), the values where the backward pass ends and the optimizer update begins.
    /// `DataParallelProgramSet` cuts the step there into its per-core gradient program and its
    /// update program. Empty for inference, and once passes have rewritten the graph
    /// (`Pipeline.optimize` clears it: its value numbers would be stale).
    public var gradients: [String: ValueID]

    public init(kind: Kind, graph: Graph, parameters: [ParameterInfo], optimizerSlots: [ParameterInfo], batch: Int,
                gradients: [String: ValueID] = [:]) {
        self.kind = kind
        self.graph = graph
        self.parameters = parameters
        self.optimizerSlots = optimizerSlots
        self.batch = batch
        self.gradients = gradients
    }

    /// Names of the per-call inputs and outputs besides weights and slots (`ProgramNames`).
    public typealias Names = ProgramNames

    /// The program seen from outside: its inputs and outputs by name, for the trainer.
    public var interface: ProgramInterface {
        func spec(_ name: String, _ type: TensorType) -> TensorSpec {
            TensorSpec(name, type.element == .i32 ? .i32 : .f32, type.shape)
        }
        let index = graph.definitionIndex()
        return ProgramInterface(
            kind: kind, batch: batch, parameters: parameters, optimizerSlots: optimizerSlots,
            inputs: graph.inputs.compactMap { input in input.name.map { spec($0, input.type) } },
            outputs: graph.outputs.map { spec($0.name, graph.instructions[index[$0.value]!].type) })
    }
}
