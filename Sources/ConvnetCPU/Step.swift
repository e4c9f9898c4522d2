/// One unit of work of a compiled program: a closure bound at compile time to raw pointers
/// into the arena, so running it looks nothing up and allocates nothing. `op` and `layer`
/// name it in profiles.
struct Step {
    let run: () -> Void
    /// The IR mnemonic (`conv2d`, `fusion.conv_bias_relu`, `conv2d+bias_add+relu` for an
    /// epilogue the executor fused itself).
    let op: String
    /// The model layer of the instruction, or "" when it has none.
    let layer: String
}

/// The shared im2col scratch of every convolution: sized to the largest need once the whole
/// graph has been compiled, then allocated once. Thunks hold this box and read the pointer
/// when they run (it is set before the first run).
public final class SharedScratch {
    public init() {}

    public var pointer: UnsafeMutablePointer<Float>?
    public private(set) var floats = 0

    /// Records that some op needs `count` floats.
    func reserve(_ count: Int) { floats = max(floats, count) }

    /// The first `count` floats, for one convolution's chunked im2col.
    @inline(__always)
    func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}

/// Why a program cannot run on the CPU backend.
public struct CPUCompileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
