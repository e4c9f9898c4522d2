import ConvnetIR

/// The `--target cpu` backend: compiles an IR program into a `CPUExecutable` that runs on
/// the fp32 kernels of ConvnetKernels (OpenBLAS GEMMs, threaded loops).
public struct CPUCompiler: ProgramCompiler {
    /// Lets the executor fuse an adjacent conv2d/matmul + bias_add (+ activation) of the graph
    /// as given into one kernel call. Fusions in the IR are always honoured.
    public var optimize: Bool
    /// The most floats one convolution's im2col chunk may take (whole images, at least one):
    /// the shared scratch is sized by the largest chunk.
    public var convScratchFloats: Int

    public init(optimize: Bool = true, convScratchFloats: Int = 1 << 22) {
        self.optimize = optimize
        self.convScratchFloats = convScratchFloats
    }

    public var name: String { "cpu" }

    public func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        try compileCPU(program)
    }

    /// Compiles with a given buffer plan (for example the optimizer's buffer assignment);
    /// by default every value gets its own slice (`NaiveBufferPlan`).
    public func compileCPU(_ program: IRProgram, plan: (any BufferPlan)? = nil) throws -> CPUExecutable {
        try CPUExecutable(program: program, plan: plan ?? NaiveBufferPlan(program.graph), options: self)
    }
}
