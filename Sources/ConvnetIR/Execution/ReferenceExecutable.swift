/// The reference interpreter behind the `ExecutableProgram` contract: slow, plain Float32
/// loops, and the ground truth every other backend is compared against.
public final class ReferenceExecutable: ExecutableProgram, NamedBufferProgram {
    public let program: IRProgram
    private let interpreter = Interpreter<Float>()
    /// Owned: allocated here, freed in `deinit`.
    public private(set) var buffers = NamedBuffers()

    public init(_ program: IRProgram) {
        self.program = program
        for input in program.graph.inputs {
            guard let name = input.name else { continue }
            let count = input.type.elementCount
            if input.type.element == .i32 {
                let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: count)
                buffer.initialize(repeating: 0)
                buffers.intInputs[name] = buffer
            } else {
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
                buffer.initialize(repeating: 0)
                buffers.floatInputs[name] = buffer
            }
        }
        let index = program.graph.definitionIndex()
        for output in program.graph.outputs {
            let count = program.graph.instructions[index[output.value]!].type.elementCount
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: 0)
            buffers.outputs[output.name] = buffer
        }
    }

    deinit {
        buffers.floatInputs.values.forEach { $0.deallocate() }
        buffers.intInputs.values.forEach { $0.deallocate() }
        buffers.outputs.values.forEach { $0.deallocate() }
    }

    public func run() throws {
        var tensors: [String: Tensor<Float>] = [:]
        for input in program.graph.inputs {
            guard let name = input.name else { continue }
            if let b = buffers.floatInputs[name] {
                tensors[name] = Tensor(.f32, shape: input.type.shape, scalars: Array(b))
            } else if let b = buffers.intInputs[name] {
                tensors[name] = Tensor(.i32, shape: input.type.shape, scalars: b.map { Float($0) })
            }
        }
        let results = try interpreter.run(program.graph, inputs: tensors)
        for (name, buffer) in buffers.outputs {
            guard let t = results[name] else { throw InterpreterError("the run produced no output \(name)") }
            _ = buffer.update(fromContentsOf: t.scalars)
        }
    }
}

/// Compiles by doing nothing: the interpreter runs the program as built.
public struct ReferenceCompiler: ProgramCompiler {
    public init() {}
    public var name: String { "reference" }
    public func compile(_ program: IRProgram) throws -> any ExecutableProgram { ReferenceExecutable(program) }
}
