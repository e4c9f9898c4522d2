import ConvnetSema
import ConvnetSyntax

/// A checked model's programs, built by `IRBuilder` and compiled by one backend: the
/// `ModelCompiler` the trainer, `predict` and `evaluate` use inside convnetc.
public struct IRModelCompiler: ModelCompiler {
    public let model: CheckedModel
    public let backend: any ProgramCompiler

    public init(model: CheckedModel, backend: any ProgramCompiler) {
        self.model = model
        self.backend = backend
    }

    public var name: String { backend.name }

    public func trainingStep(batch: Int, optimizer: OptimizerSetting) throws -> any CompiledProgram {
        try backend.compile(IRBuilder.trainingStep(model, batch: batch, optimizer: optimizer))
    }

    public func inference(batch: Int) throws -> any CompiledProgram {
        try backend.compile(IRBuilder.inference(model, batch: batch))
    }
}

extension ProgramCompiler {
    /// This backend bound to `model`'s programs.
    public func compiling(_ model: CheckedModel) -> IRModelCompiler {
        IRModelCompiler(model: model, backend: self)
    }
}
