import ConvnetIR
import ConvnetSema
import ConvnetSyntax

/// The figures `convnetc stats` prints for a model: what the optimizer made of its inference
/// program and its training step.
///
/// The FLOP ratio (training step / forward) is about 3 for a convnet: the step runs the forward
/// pass, then for every conv/dense layer a filter-gradient GEMM and an input-gradient GEMM of the
/// same M*K*N as its forward GEMM. The first layer's input gradient is never built (autodiff only
/// differentiates values that depend on a weight, and the images do not; so DCE has nothing to
/// drop), which takes the ratio below 3 by that layer's share; pool and activation gradients,
/// `col2im`'s adds and the optimizer's ~15 FLOPs per weight add a little back.
///
/// flowers.convnet at batch 32 (checked by `ProgramStatsTests.testFlowersFlopRatio`):
/// forward (inference) 32,676,244,768 FLOPs, of which GEMMs 32,451,489,792 (99.3%); training
/// step 97,097,695,411 = 3 x 32,451,489,792 GEMM FLOPs - 1,019,215,872 (conv2d's input gradient,
/// not needed) + 309,399,552 (col2im adds) + 453,042,355 (bias, relu and pool forward and backward,
/// loss, Adam). Ratio 2.9715 (2.9620 before lowering, where the input gradient's adds are not
/// counted separately).
public struct ProgramStats: Sendable {
    /// One matmul of the optimized training step and its MXU plan.
    public struct Matmul: Sendable {
        /// The model layer (`conv2d_1`).
        public var layer: String
        /// Forward, filter gradient or input gradient.
        public var role: MatmulPlan.Role
        /// M, K, N, folds, cycles and utilisation on the MXU.
        public var plan: TilePlan
    }

    /// The batch the programs were built for.
    public var batch: Int
    /// Top-level instructions of the optimized training step by op mnemonic (`fusion.loop`,
    /// `matmul`, `parameter`, ...).
    public var opCounts: [(op: String, count: Int)]
    /// Fusions of the optimized training step by kind (`conv_bias_relu`, `loop`).
    public var fusionCounts: [(kind: String, count: Int)]
    /// FLOPs of the optimized inference program (the forward pass with softmax).
    public var forwardFlops: Int
    /// FLOPs of the optimized training step.
    public var trainingStepFlops: Int
    /// Buffer assignment of the optimized training step.
    public var trainingBuffers: BufferAssignment
    /// Buffer assignment of the optimized inference program.
    public var inferenceBuffers: BufferAssignment
    /// Every matmul of the training step in program order.
    public var matmuls: [Matmul]

    /// Training-step FLOPs over forward FLOPs.
    public var flopRatio: Double { Double(trainingStepFlops) / Double(max(forwardFlops, 1)) }

    /// Builds and optimizes both programs of `model` at `batch`.
    /// The TPU target's plan by default: its matmuls are the MXU's, with their tile plans.
    public static func make(_ model: CheckedModel, batch: Int, optimizer: OptimizerSetting,
                            target: TargetCapabilities = .tpu) throws -> ProgramStats {
        let inference = try Pipeline.optimize(IRBuilder.inference(model, batch: batch), for: target)
        let training = try Pipeline.optimize(try IRBuilder.trainingStep(model, batch: batch, optimizer: optimizer), for: target)
        return ProgramStats(inference: inference, training: training)
    }

    /// Stats of two already optimized programs of the same model.
    public init(inference: OptimizedProgram, training: OptimizedProgram) {
        batch = training.program.batch
        let g = training.graph
        opCounts = ProgramStats.counted(g.instructions.map(\.op.mnemonic))
        fusionCounts = ProgramStats.counted(g.instructions.compactMap {
            if case .fusion(let kind, _) = $0.op { kind.name } else { nil }
        })
        forwardFlops = FlopCounter.total(inference.graph)
        trainingStepFlops = FlopCounter.total(g)
        trainingBuffers = training.buffers
        inferenceBuffers = inference.buffers
        matmuls = training.tilePlans.map { Matmul(layer: $0.layer ?? "", role: $0.role, plan: $0.plan) }
    }

    /// Counts in order of first appearance.
    private static func counted(_ names: [String]) -> [(String, Int)] {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for n in names {
            if counts[n] == nil { order.append(n) }
            counts[n, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }
    }
}
