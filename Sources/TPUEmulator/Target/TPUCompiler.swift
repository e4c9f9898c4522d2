import ConvnetCPU
import ConvnetKernels
import ConvnetIR
import ConvnetOptimizer
import ConvnetSema
import ConvnetSyntax

/// The `--target tpu` backend: runs the optimizer's program on the emulated TPU board.
///
/// Every program is first rewritten by the TPU target's pipeline (`Pipeline.for(.tpu)`:
/// fusions, the MXU kernel plan, im2col lowering, tile plans) and then executed by the CPU executor's thunks with the
/// `MXUEngine`: matmuls and lowered convolutions are MXU passes (bfloat16 operands, float32
/// accumulation, the weight-stationary `TilePlan` of the device), everything else runs in
/// float32 as it would on the vector unit.
///
/// - An inference program runs as given, on one core, the whole batch at once (inference has
///   no all-reduce, so splitting it over cores changes no number; only the modelled time, which
///   `TPUProfiler` reports).
/// - A training step becomes a `TPUTrainingExecutable` of the data-parallel programs
///   (`DataParallelProgramSet`: the per-core gradient program and the update program) that
///   `programSets` gives for it: the batch split over `cores`, one gradient pass per core, a
///   fixed-order all-reduce, one update. It presents the training step's names, so the trainer
///   does not know the difference. Each program is optimized once, for the TPU target, and that
///   optimized program is both what runs and what the cost model prices.
public struct TPUCompiler: ProgramCompiler {
    /// Cores the global batch is split over (`--cores`, 8 on a TPU v2-8).
    public let cores: Int
    public let device: TPUDevice
    /// The data-parallel programs of a training step: cut by the driver out of the step's IR
    /// (`DataParallelProgramSet`); this backend compiles them as given, optimizing each once.
    public let programSets: @Sendable (IRProgram) throws -> DataParallelProgramSet
    /// Runs every matmul: the emulated MXU (`MXUEngine`) by default. Tests pass `BLASEngine`
    /// to check the data-parallel structure in fp32, apart from bfloat16 numerics.
    public var engine: any MatmulEngine

    /// A TPU compiler on `cores` cores of `device` whose training steps run the programs
    /// `programSets` builds.
    ///
    /// - Parameter hostThreads: host threads one emulated matmul may use. 1 by default: the
    ///   executor already runs the two image halves of every convolution on the two host cores,
    ///   and nesting the MXU's own threads inside them measured 10-20% slower on flowers.
    public init(cores: Int = TPUDevice.tpuV2.cores, device: TPUDevice = .tpuV2, hostThreads: Int = 1,
                programSets: @escaping @Sendable (IRProgram) throws -> DataParallelProgramSet) {
        self.cores = cores
        self.device = device
        self.programSets = programSets
        self.engine = MXUEngine(device: device, threads: hostThreads)
    }

    /// A TPU compiler whose data-parallel programs are `model`'s, with `optimizer` (the
    /// model's `train` block's by default; only its kind and momentum matter, the learning
    /// rate is an input of every step).
    public init(model: CheckedModel, cores: Int = TPUDevice.tpuV2.cores, device: TPUDevice = .tpuV2, optimizer: OptimizerSetting? = nil,
                hostThreads: Int = 1) {
        let optimizer = optimizer ?? model.train.optimizer
        self.init(cores: cores, device: device, hostThreads: hostThreads) { step in
            try DataParallelProgramSet(trainingStep: step, cores: cores) { batch in
                try IRBuilder.trainingStep(model, batch: batch, optimizer: optimizer)
            }
        }
    }

    public var name: String { "tpu" }

    /// The CPU executor configured with the engine, compiling the TPU target's plan (the CPU
    /// target's when a test swaps in the float32 `BLASEngine`).
    var executor: CPUCompiler {
        CPUCompiler(engine: engine, target: engine.directConvolutions == .bfloat16 ? .tpu : .cpu)
    }

    /// Throws `DataParallelError` (with help) when a training batch does not split over the
    /// cores, `IRBuilderError` when the program does not belong to the programs' model, and the
    /// executor's errors.
    public func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        switch program.kind {
        case .inference: try compileInference(program)
        case .trainingStep: try compile(try programSets(program))
        }
    }

    /// A data-parallel training step of the given programs.
    public func compile(_ set: DataParallelProgramSet) throws -> TPUTrainingExecutable {
        try TPUTrainingExecutable(set, compiler: self)
    }

    /// An inference program, optimized, on the MXU engine (one core, the batch as given).
    public func compileInference(_ program: IRProgram) throws -> CPUExecutable {
        try executor.compileOptimized(program)
    }
}
