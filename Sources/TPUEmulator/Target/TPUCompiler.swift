import ConvnetCPU
import ConvnetKernels
import ConvnetIR
import ConvnetOptimizer
import ConvnetSema
import ConvnetSyntax

/// The `--target tpu` backend: runs the optimizer's program on the emulated TPU board.
///
/// Every program is first rewritten by the optimizer (`Pipeline.default`: fusions, im2col
/// lowering, tile plans) and then executed by the CPU executor's thunks with the
/// `MXUEngine`: matmuls and lowered convolutions are MXU passes (bfloat16 operands, float32
/// accumulation, the weight-stationary `TilePlan` of the device), everything else runs in
/// float32 as it would on the vector unit.
///
/// - An inference program runs as given, on one core, the whole batch at once (inference has
///   no all-reduce, so splitting it over cores changes no number; only the modelled time, which
///   `TPUProfiler` reports).
/// - A training step becomes a `TPUTrainingExecutable`: the batch split over `cores`, one
///   gradient pass per core, a fixed-order all-reduce, one update. It presents the training
///   step's names, so the trainer does not know the difference.
///
/// Why the model is needed: the per-core gradient and update programs are built from it
/// (`IRBuilder.gradientStep` / `updateStep`); the training-step program only supplies the
/// global batch and the names.
public struct TPUCompiler: ProgramCompiler {
    public let model: CheckedModel
    /// Cores the global batch is split over (`--cores`, 8 on a TPU v2-8).
    public let cores: Int
    public let device: TPUDevice
    /// The optimizer of the update program: the model's `train` block's by default. Only its
    /// kind and momentum matter; the learning rate is an input of every step.
    public var optimizer: OptimizerDecl
    /// Runs every matmul: the emulated MXU (`MXUEngine`) by default. Tests pass `BLASEngine`
    /// to check the data-parallel structure in fp32, apart from bfloat16 numerics.
    public var engine: any MatmulEngine

    /// A TPU compiler for `model` on `cores` cores of `device`.
    ///
    /// - Parameter hostThreads: host threads one emulated matmul may use. 1 by default: the
    ///   executor already runs the two image halves of every convolution on the two host cores,
    ///   and nesting the MXU's own threads inside them measured 10-20% slower on flowers.
    public init(model: CheckedModel, cores: Int = 8, device: TPUDevice = .tpuV2, optimizer: OptimizerDecl? = nil,
                hostThreads: Int = 1) {
        self.model = model
        self.cores = cores
        self.device = device
        self.optimizer = optimizer ?? model.train.optimizer
        self.engine = MXUEngine(device: device, threads: hostThreads)
    }

    public var name: String { "tpu" }

    /// The CPU executor configured with the MXU engine.
    var executor: CPUCompiler { CPUCompiler(engine: engine) }

    /// Throws `DataParallelError` (with help) when a training batch does not split over the
    /// cores, `TPUTargetError` when the program does not belong to the model, and the
    /// executor's errors.
    public func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        switch program.kind {
        case .inference: try compileInference(program)
        case .trainingStep: try TPUTrainingExecutable(trainingStep: program, compiler: self)
        }
    }

    /// An inference program, optimized, on the MXU engine (one core, the batch as given).
    public func compileInference(_ program: IRProgram) throws -> CPUExecutable {
        try executor.compileOptimized(program)
    }

    /// `program` with its graph rewritten by the optimizer's default pipeline.
    static func optimized(_ program: IRProgram) -> IRProgram {
        var p = program
        p.graph = Pipeline.default.run(program.graph)
        return p
    }
}

/// A helper for the driver that needs no `Target` enum.
public enum TPUTarget {
    /// The TPU target's compiler for `model` with `cores` cores (a TPU v2 board).
    public static func compiler(model: CheckedModel, cores: Int = 8) -> TPUCompiler {
        TPUCompiler(model: model, cores: cores)
    }
}
