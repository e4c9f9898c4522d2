/// Where a program's named inputs and outputs live: the buffers `CompiledProgram`'s three
/// lookups hand out. The CPU executable's point into its arena, the reference interpreter's are
/// its own; the lookup is this one, as is its answer to a name the program lacks (a caller's
/// mistake, not bad input, so a precondition).
public struct NamedBuffers {
    public var floatInputs: [String: UnsafeMutableBufferPointer<Float>] = [:]
    public var intInputs: [String: UnsafeMutableBufferPointer<Int32>] = [:]
    public var outputs: [String: UnsafeMutableBufferPointer<Float>] = [:]

    public init() {}
}

/// A program that keeps its named buffers in a `NamedBuffers`: the contract's lookups read it.
public protocol NamedBufferProgram: CompiledProgram {
    var buffers: NamedBuffers { get }
}

extension NamedBufferProgram {
    public func floats(input name: String) -> UnsafeMutableBufferPointer<Float> {
        guard let b = buffers.floatInputs[name] else { preconditionFailure("no f32 input named \(name)") }
        return b
    }

    public func int32s(input name: String) -> UnsafeMutableBufferPointer<Int32> {
        guard let b = buffers.intInputs[name] else { preconditionFailure("no i32 input named \(name)") }
        return b
    }

    public func floats(output name: String) -> UnsafeBufferPointer<Float> {
        guard let b = buffers.outputs[name] else { preconditionFailure("no output named \(name)") }
        return UnsafeBufferPointer(b)
    }
}
