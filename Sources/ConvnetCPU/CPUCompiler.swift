import ConvnetIR
import ConvnetKernels
import ConvnetOptimizer

/// The `--target cpu` backend: compiles an IR program into a `CPUExecutable` that runs on
/// the fp32 kernels of ConvnetKernels (OpenBLAS GEMMs, threaded loops).
public struct CPUCompiler: ProgramCompiler {
    /// Whether `compile` runs the target's optimizer pipeline first (`compileOptimized`); when
    /// false it runs the program as built, op by op (unplanned convolutions banded).
    public var optimize: Bool
    /// The target whose plan `compileOptimized` makes: `.cpu`, or `.tpu` with the MXU engine.
    public var target: TargetCapabilities
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
                engine: any MatmulEngine = BLASEngine(), target: TargetCapabilities = .cpu) {
        self.optimize = optimize
        self.target = target
        self.convScratchFloats = convScratchFloats
        self.blasThreads = blasThreads
        self.engine = engine
    }

    public var name: String { "cpu" }

    /// Optimizes the program (`Pipeline.for(target)`) and compiles the result into the arena
    /// the optimizer's buffer assignment lays out; without `optimize`, the program as built.
    public func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        optimize ? try compileOptimized(program) : try compileCPU(program)
    }

    /// Compiles `program`, running `graph` instead of its own graph when given (the optimizer's
    /// rewrite of it, with the same named inputs and outputs), with values placed by `plan`
    /// (by default one slice per value, `NaiveBufferPlan`). The executable's `program` stays
    /// the one given, as the `ExecutableProgram` contract asks. With the optimizer:
    ///
    ///     let optimized = try Pipeline.optimize(program, for: .cpu)
    ///     let exe = try CPUCompiler().compileCPU(program, graph: optimized.program.graph,
    ///                                            plan: optimized.buffers)
    ///
    /// (`BufferAssignment` becomes a `BufferPlan` through `byteOffset(of:) = slots[v]?.offset`).
    public func compileCPU(_ program: IRProgram, graph: Graph? = nil,
                           plan: (any BufferPlan)? = nil) throws -> CPUExecutable {
        let executed = graph ?? program.graph
        // A graph that breaks the IR's rules or carries a wrong plan (Winograd on a 5x5 window)
        // is a compile error here, before any kernel is bound.
        let errors = Verifier.verify(executed)
        guard errors.isEmpty else {
            throw CPUCompileError("the program given to the CPU backend is invalid:\n"
                                  + errors.map { "  " + $0.message }.joined(separator: "\n"))
        }
        return try CPUExecutable(program: program, graph: executed, plan: plan ?? NaiveBufferPlan(executed),
                                 options: self)
    }
}
