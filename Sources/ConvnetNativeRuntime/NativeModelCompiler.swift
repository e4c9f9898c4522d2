import ConvnetInterface
import ConvnetSupport

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
        return try checkingMemory("training step", makeTraining)
    }

    public func inference(batch: Int) throws -> any CompiledProgram {
        try check(batch: batch)
        return try checkingMemory("inference program", makeInference)
    }

    /// Builds a program, refused with the figure when its arena does not fit in memory
    /// (`NativeArena`); the batch is fixed at emission, so the advice is to emit again.
    private func checkingMemory(_ kind: String, _ make: () -> any CompiledProgram) throws(MemoryShortfall) -> any CompiledProgram {
        do {
            return try NativeArena.checking(make)
        } catch {
            let fitting = (Double(batch) * Double(error.availableBytes) / max(error.neededBytes, 1)).rounded(.down)
            let advice = fitting >= 1
                ? "this binary was emitted for batch \(batch): emit it again with --batch \(Int(min(fitting, Double(batch)))) or less "
                    + "(memory grows with the batch)"
                : MemoryShortfall.batchAdvice(batch: batch, neededBytes: error.neededBytes, availableBytes: error.availableBytes)
            throw MemoryShortfall(what: "the native \(kind) at batch \(batch)", neededBytes: error.neededBytes,
                                  availableBytes: error.availableBytes, advice: advice)
        }
    }

    private func check(batch: Int) throws {
        guard batch == self.batch else {
            throw EmitError("this binary was emitted for batch \(self.batch), not \(batch); emit again with that batch")
        }
    }
}
