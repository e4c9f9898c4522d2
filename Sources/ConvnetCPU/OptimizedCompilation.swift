import ConvnetIR
import ConvnetOptimizer

/// The optimizer's buffer assignment is a buffer plan: every top-level value at its arena
/// offset. Values the executor never writes (the im2col matrices of lowered convolutions, which
/// run banded) keep their reserved range, but the arena is allocated zeroed and lazily mapped,
/// so untouched pages cost no memory.
extension BufferAssignment: BufferPlan {
    public func byteOffset(of value: ValueID) -> Int? { slots[value]?.offset }
    public func rowStride(of value: ValueID) -> Int? { channelViews[value]?.rowStride }
}

extension CPUCompiler {
    /// The program as the pipeline of `target` rewrites and plans it, placed by its buffer
    /// assignment: what `--target cpu` runs (and the TPU target, with its MXU engine).
    public func compileOptimized(_ program: IRProgram) throws -> CPUExecutable {
        try compile(try Pipeline.optimize(program, for: target))
    }

    /// An already optimized program (`Pipeline.optimize` for this compiler's target): compiled
    /// as given, its graph and buffers unchanged.
    public func compile(_ optimized: OptimizedProgram) throws -> CPUExecutable {
        try compileCPU(optimized.program, graph: optimized.graph, plan: optimized.buffers)
    }
}
