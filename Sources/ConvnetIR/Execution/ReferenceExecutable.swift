/// The reference interpreter behind the `ExecutableProgram` contract: slow, plain Float32
/// loops, and the ground truth every other backend is compared against.
public final class ReferenceExecutable: ExecutableProgram {
    public let program: IRProgram
    private let interpreter = Interpreter<Float>()
    private var floatInputs: [String: UnsafeMutableBufferPointer<Float>] = [:]
    private var intInputs: [String: UnsafeMutableBufferPointer<Int32>] = [:]
    private var outputs: [String: UnsafeMutableBufferPointer<Float>] = [:]

    public init(_ program: IRProgram) {
        self.program = program
        for input in program.graph.inputs {
            guard let name = input.name else { continue }
            let count = input.type.elementCount
            if input.type.element == .i32 {
                let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: count)
                buffer.initialize(repeating: 0)
                intInputs[name] = buffer
            } else {
                let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
                buffer.initialize(repeating: 0)
                floatInputs[name] = buffer
            }
        }
        let index = program.graph.definitionIndex()
        for output in program.graph.outputs {
            let count = program.graph.instructions[index[output.value]!].type.elementCount
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: 0)
            outputs[output.name] = buffer
        }
    }

    deinit {
        floatInputs.values.forEach { $0.deallocate() }
        intInputs.values.forEach { $0.deallocate() }
        outputs.values.forEach { $0.deallocate() }
    }

    public func floats(input name: String) -> UnsafeMutableBufferPointer<Float> {
        guard let b = floatInputs[name] else { preconditionFailure("no f32 input named \(name)") }
        return b
    }

    public func int32s(input name: String) -> UnsafeMutableBufferPointer<Int32> {
        guard let b = intInputs[name] else { preconditionFailure("no i32 input named \(name)") }
        return b
    }

    public func floats(output name: String) -> UnsafeBufferPointer<Float> {
        guard let b = outputs[name] else { preconditionFailure("no output named \(name)") }
        return UnsafeBufferPointer(b)
    }

    public func run() throws {
        var tensors: [String: Tensor<Float>] = [:]
        for input in program.graph.inputs {
            guard let name = input.name else { continue }
            if let b = floatInputs[name] {
                tensors[name] = Tensor(.f32, shape: input.type.shape, scalars: Array(b))
            } else if let b = intInputs[name] {
                tensors[name] = Tensor(.i32, shape: input.type.shape, scalars: b.map { Float($0) })
            }
        }
        let results = try interpreter.run(program.graph, inputs: tensors)
        for (name, buffer) in outputs {
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
