import ConvnetIR
import ConvnetKernels

/// The `--target cpu` backend: compiles an IR program into a `CPUExecutable` that runs on
/// the fp32 kernels of ConvnetKernels (OpenBLAS GEMMs, threaded loops).
public struct CPUCompiler: ProgramCompiler {
    /// Lets the executor fuse adjacent instructions itself: conv2d/matmul + bias_add
    /// (+ activation) into one kernel call with the epilogue, and an activation gradient (alone
    /// or as a fusion's epilogue) with the bias_grad after it into one pass. Fusions in the IR
    /// are always honoured, and lowered convolutions (im2col + matmul) always run banded.
    public var optimize: Bool
    /// About how many floats of im2col columns one core produces at a time (a band of whole
    /// output rows, at least one): small enough to stay in L2 between im2col and the GEMM.
    /// The shared scratch holds one band per core of the largest convolution.
    public var convScratchFloats: Int

    /// OpenBLAS threads to set (process-wide) before each run, or nil to leave the setting
    /// alone. 1 by default: the executor then runs the two image halves of every convolution
    /// on the two cores itself, which measured about twice as fast as two-thread GEMMs run in
    /// turn on the flowers model (see the exec report).
    public var blasThreads: Int?

    /// Runs every matrix product of convolutions and dense layers: fp32 OpenBLAS by default;
    /// the TPU target passes its bfloat16 MXU engine.
    public var engine: any MatmulEngine

    public init(optimize: Bool = true, convScratchFloats: Int = 1 << 17, blasThreads: Int? = 1,
                engine: any MatmulEngine = BLASEngine()) {
        self.optimize = optimize
        self.convScratchFloats = convScratchFloats
        self.blasThreads = blasThreads
        self.engine = engine
    }

    public var name: String { "cpu" }

    /// Optimizes the program (`Pipeline.default`) and compiles the result into the arena the
    /// optimizer's buffer assignment lays out.
    public func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        try compileOptimized(program)
    }

    /// Compiles `program`, running `graph` instead of its own graph when given (the optimizer's
    /// rewrite of it, with the same named inputs and outputs), with values placed by `plan`
    /// (by default one slice per value, `NaiveBufferPlan`). The executable's `program` stays
    /// the one given, as the `ExecutableProgram` contract asks. With the optimizer:
    ///
    ///     let optimized = Pipeline.optimize(program)
    ///     let exe = try CPUCompiler().compileCPU(program, graph: optimized.program.graph,
    ///                                            plan: optimized.buffers)
    ///
    /// (`BufferAssignment` becomes a `BufferPlan` through `byteOffset(of:) = slots[v]?.offset`).
    public func compileCPU(_ program: IRProgram, graph: Graph? = nil,
                           plan: (any BufferPlan)? = nil) throws -> CPUExecutable {
        let executed = graph ?? program.graph
        return try CPUExecutable(program: program, graph: executed, plan: plan ?? NaiveBufferPlan(executed),
                                 options: self)
    }
}
