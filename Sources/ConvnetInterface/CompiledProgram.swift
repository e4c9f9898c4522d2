/// A program compiled for one backend and ready to run many times.
///
/// This is the one contract between the training loop and the backends (the reference
/// interpreter, the CPU executor, the TPU emulator, generated Swift): the trainer writes named
/// inputs, calls `run()`, and reads named outputs. Storage is owned by the executable and lives
/// as long as it does, so a step allocates nothing. Inputs keep their values between runs, which
/// is how weights persist: after a training step, `feedBack()` copies each updated weight and
/// optimizer slot (an output named like an input) into its input.
public protocol CompiledProgram: AnyObject {
    /// Names, shapes and roles of the inputs and outputs.
    var interface: ProgramInterface { get }

    /// Storage of an `f32` input, laid out row-major in the input's declared shape.
    func floats(input name: String) -> UnsafeMutableBufferPointer<Float>

    /// Storage of an `i32` input (labels, dropout seed).
    func int32s(input name: String) -> UnsafeMutableBufferPointer<Int32>

    /// An `f32` output of the last run (valid until the next run).
    func floats(output name: String) -> UnsafeBufferPointer<Float>

    /// Runs the program once on the current inputs.
    func run() throws
}

extension CompiledProgram {
    /// Copies every output that updates an input of the same name (weights, moving statistics,
    /// optimizer slots) into that input, so the next step starts from the new values.
    public func feedBack() {
        let interface = self.interface
        let inputNames = Set(interface.inputs.map(\.name))
        for output in interface.outputs where inputNames.contains(output.name) {
            let source = floats(output: output.name)
            let target = floats(input: output.name)
            precondition(source.count == target.count, "output \(output.name) does not match its input")
            _ = target.update(fromContentsOf: source)
        }
    }

    /// Sets a scalar f32 input such as `step` or `learning_rate`.
    public func setScalar(_ name: String, _ value: Float) {
        floats(input: name)[0] = value
    }

    /// The first element of an output (`loss`, `correct`).
    public func scalar(output name: String) -> Float {
        floats(output: name)[0]
    }

    /// Whether the program declares an input of this name (e.g. `dropout_seed` only exists
    /// when the model has dropout).
    public func hasInput(_ name: String) -> Bool {
        interface.input(named: name) != nil
    }
}

/// A model's two programs, compiled by one backend: what the trainer, `predict` and `evaluate`
/// ask for. The compiler builds them from the checked model (`ProgramCompiler.compiling` in
/// ConvnetIR); a native binary hands out the classes it was emitted with.
public protocol ModelCompiler: Sendable {
    /// A short name for messages (`cpu`, `tpu`, `native`, `reference`).
    var name: String { get }
    /// The training step at `batch` with the update rule `optimizer`.
    func trainingStep(batch: Int, optimizer: OptimizerSetting) throws -> any CompiledProgram
    /// Inference (weights, images -> probabilities) at `batch`.
    func inference(batch: Int) throws -> any CompiledProgram
}
