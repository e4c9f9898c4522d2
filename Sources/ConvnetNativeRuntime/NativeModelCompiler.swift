import ConvnetInterface

/// The `ModelCompiler` of a generated binary: its model as emitted constants, and the two classes
/// emitted for one batch and one update rule. Nothing is compiled at run time; a request for
/// another batch or another rule is refused with the command that makes a matching binary.
public struct NativeModelCompiler: ModelCompiler {
    public let model: ModelDescription
    /// The batch both programs were emitted for.
    public let batch: Int
    /// The update rule the training step was emitted with (its learning rate is an input, so
    /// only the kind and momentum are fixed).
    public let optimizer: OptimizerSetting
    private let makeTraining: @Sendable () -> any CompiledProgram
    private let makeInference: @Sendable () -> any CompiledProgram

    public init(model: ModelDescription, batch: Int, optimizer: OptimizerSetting,
                makeTraining: @escaping @Sendable () -> any CompiledProgram,
                makeInference: @escaping @Sendable () -> any CompiledProgram) {
        self.model = model
        self.batch = batch
        self.optimizer = optimizer
        self.makeTraining = makeTraining
        self.makeInference = makeInference
    }

    public var name: String { "native" }

    public func trainingStep(batch: Int, optimizer: OptimizerSetting) throws -> any CompiledProgram {
        try check(batch: batch)
        guard optimizer.with(learningRate: 1) == self.optimizer.with(learningRate: 1) else {
            throw EmitError("this binary's training step was emitted for \(self.optimizer), not \(optimizer); emit it again")
        }
        return makeTraining()
    }

    public func inference(batch: Int) throws -> any CompiledProgram {
        try check(batch: batch)
        return makeInference()
    }

    private func check(batch: Int) throws {
        guard batch == self.batch else {
            throw EmitError("this binary was emitted for batch \(self.batch), not \(batch); emit again with that batch")
        }
    }
}
