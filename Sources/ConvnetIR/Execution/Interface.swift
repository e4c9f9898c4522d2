// Every backend compiled from this IR implements the runtime's contract (`CompiledProgram`,
// `ProgramInterface`, `ParameterInfo`, the tensor names), which lives in ConvnetInterface so
// that the runtime needs no IR. Re-exported: code that speaks IR speaks the contract too.
@_exported import ConvnetInterface

extension ParameterInfo {
    /// The weight's IR type: `f32` in its Keras shape.
    public var type: TensorType { .f32(shape) }
}
