import ConvnetCPU
import ConvnetIR
import ConvnetOptimizer

/// One data-parallel training step on the emulated board, behind the names of
/// `IRBuilder.trainingStep` (weights, slots, images, labels, step, learning_rate, dropout_seed
/// in; new weights, new slots, new moving statistics, loss, correct out), so `Trainer` drives
/// it like any other executable.
///
/// A step (references.md §4, `DataParallelPrograms`):
/// 1. Broadcast: the trainable weights are copied into the per-core gradient program.
/// 2. Every core c, in core order, runs the gradient program on its shard `split.shard(c)` of the
///    global batch (`(B/N, H, W, C)`), with dropout seed `seed + c`. The host runs the cores one
///    after the other on ONE compiled gradient program (each emulated matmul uses all host
///    threads), which keeps the memory of one per-core program instead of N.
/// 3. All-reduce: each core's `grad/<w>` is added into the update program's input right after
///    the core finishes, core 0 first, `((g0 + g1) + g2) + ...` (`AllReduce.sum`'s order), so
///    every run gives the same bits. Loss, correct count and batch-norm moving statistics are
///    summed the same way; loss and statistics are then divided by N (mean over cores).
/// 4. The update program (divides the summed gradients by N, applies the optimizer) runs once: every
///    core would apply the same update to the same weights, so one emulated core stands for all.
///
/// The modelled cost (`ModelledCostReporting`) is static: `TPUCostModel` over the optimized
/// gradient and update graphs actually run, at the per-core batch, plus the ring all-reduce
/// of the float32 gradients (`report`).
public final class TPUTrainingExecutable: ExecutableProgram, ModelledCostReporting {
    /// The training-step program whose names this executable presents.
    public let program: IRProgram
    public let split: DataParallelSplit
    /// The per-core gradient program (optimized), run once per core per step.
    public let gradient: CPUExecutable
    /// The update program (optimized), run once per step.
    public let update: CPUExecutable
    /// The modelled cost of one step on the board.
    public let report: ProfileReport

    private let trainable: [String]
    private let stateNames: [String]
    /// Moving statistics the gradient program outputs (the others pass through unchanged).
    private let updatedState: Set<String>
    private let imageSize: Int
    private let hasDropout: Bool
    /// Storage this executable owns: the global batch, seed, loss, correct, new statistics.
    private let images: UnsafeMutableBufferPointer<Float>   // (B, H, W, C)
    private let labels: UnsafeMutableBufferPointer<Int32>   // (B)
    private let seed: UnsafeMutableBufferPointer<Int32>     // ()
    private let loss: UnsafeMutableBufferPointer<Float>     // ()
    private let correct: UnsafeMutableBufferPointer<Float>  // ()
    private let newState: [String: UnsafeMutableBufferPointer<Float>]
    /// All of the above and both programs, reserved before anything was allocated.
    private let memory: TPUStepMemory

    /// Optimizes (once each) and compiles the per-core gradient and update programs of `set`.
    init(_ set: DataParallelProgramSet, compiler: TPUCompiler) throws {
        let trainingStep = set.trainingStep, split = set.split
        let gradientProgram = set.gradient, updateProgram = set.update
        // Each program optimized once: what runs is what the cost model reads.
        let target = compiler.executor.target
        let optimizedGradient = try Pipeline.optimize(gradientProgram, for: target)
        let optimizedUpdate = try Pipeline.optimize(updateProgram, for: target)
        program = trainingStep
        self.split = split
        imageSize = gradientProgram.graph.input(named: IRProgram.Names.images).map { $0.type.elementCount / split.perCoreBatch } ?? 0
        // Memory first: the emulator's own buffers (images (B, H, W, C), labels (B), the moving
        // statistics) and both programs' arenas, refused as a whole before any is allocated.
        var memory = TPUStepMemory(split: split)
        let stateFloats = gradientProgram.parameters.filter { !$0.trainable }.reduce(0.0) { $0 + Double($1.elementCount) }
        try memory.reserve(4 * (Double(split.globalBatch) * (Double(imageSize) + 1) + stateFloats + 3))
        gradient = try memory.compile { try compiler.executor.compile(optimizedGradient) }
        update = try memory.compile { try compiler.executor.compile(optimizedUpdate) }
        self.memory = memory
        report = TrainingStepCost.report(gradient: optimizedGradient.graph, update: optimizedUpdate.graph,
                                         split: split, device: compiler.device)
        trainable = gradientProgram.parameters.filter(\.trainable).map(\.name)
        stateNames = gradientProgram.parameters.filter { !$0.trainable }.map(\.name)
        updatedState = Set(gradientProgram.graph.outputs.map(\.name))
        hasDropout = trainingStep.graph.input(named: IRProgram.Names.dropoutSeed) != nil
        images = .allocate(capacity: split.globalBatch * imageSize)
        labels = .allocate(capacity: split.globalBatch)
        seed = .allocate(capacity: 1)
        loss = .allocate(capacity: 1)
        correct = .allocate(capacity: 1)
        for b in [images, loss, correct] { b.initialize(repeating: 0) }
        labels.initialize(repeating: 0)
        seed.initialize(repeating: 0)
        var state: [String: UnsafeMutableBufferPointer<Float>] = [:]
        for p in gradientProgram.parameters where !p.trainable {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: p.elementCount)
            b.initialize(repeating: 0)
            state[p.name] = b
        }
        newState = state
    }

    deinit {
        images.deallocate()
        labels.deallocate()
        seed.deallocate()
        loss.deallocate()
        correct.deallocate()
        for b in newState.values { b.deallocate() }
    }

    // MARK: ExecutableProgram

    public func floats(input name: String) -> UnsafeMutableBufferPointer<Float> {
        if name == IRProgram.Names.images { return images }
        if stateNames.contains(name) { return gradient.floats(input: name) }
        return update.floats(input: name)  // trainable weights, slots, step, learning_rate
    }

    public func int32s(input name: String) -> UnsafeMutableBufferPointer<Int32> {
        switch name {
        case IRProgram.Names.labels: return labels
        case IRProgram.Names.dropoutSeed where hasDropout: return seed
        default: preconditionFailure("no i32 input named \(name)")
        }
    }

    public func floats(output name: String) -> UnsafeBufferPointer<Float> {
        switch name {
        case IRProgram.Names.loss: return UnsafeBufferPointer(loss)
        case IRProgram.Names.correct: return UnsafeBufferPointer(correct)
        default:
            if let state = newState[name] { return UnsafeBufferPointer(state) }
            return update.floats(output: name)  // new weights and slots
        }
    }

    public func run() throws {
        for name in trainable {
            _ = gradient.floats(input: name).update(fromContentsOf: update.floats(input: name))
        }
        let shardImages = gradient.floats(input: IRProgram.Names.images)
        let shardLabels = gradient.int32s(input: IRProgram.Names.labels)
        var lossSum: Float = 0, correctSum: Float = 0
        for core in 0..<split.cores {
            let shard = split.shard(core)
            _ = shardImages.update(fromContentsOf: images[shard.lowerBound * imageSize ..< shard.upperBound * imageSize])
            _ = shardLabels.update(fromContentsOf: labels[shard])
            if hasDropout { gradient.int32s(input: IRProgram.Names.dropoutSeed)[0] = seed[0] &+ Int32(core) }
            try gradient.run()
            lossSum += gradient.scalar(output: IRProgram.Names.loss)
            correctSum += gradient.scalar(output: IRProgram.Names.correct)
            for name in trainable {
                Self.reduce(gradient.floats(output: IRProgram.Names.gradient(of: name)),
                            into: update.floats(input: IRProgram.Names.gradient(of: name)), first: core == 0)
            }
            for name in stateNames {
                let source = updatedState.contains(name)
                    ? gradient.floats(output: name) : UnsafeBufferPointer(gradient.floats(input: name))
                Self.reduce(source, into: newState[name]!, first: core == 0)
            }
        }
        let n = Float(split.cores)
        for buffer in newState.values {
            for i in buffer.indices { buffer[i] = buffer[i] / n }
        }
        loss[0] = lossSum / n
        correct[0] = correctSum
        try update.run()
    }

    /// One core's contribution to the all-reduce: `total = source` for core 0, else
    /// `total = total + source` (`AllReduce.sum`'s fixed order, one core at a time).
    private static func reduce(_ source: UnsafeBufferPointer<Float>, into total: UnsafeMutableBufferPointer<Float>,
                               first: Bool) {
        precondition(source.count == total.count, "all-reduce buffers differ in length")
        guard let dst = total.baseAddress, let src = source.baseAddress else { return }
        if first {
            dst.update(from: src, count: total.count)
        } else {
            AllReduce.sum([UnsafePointer(dst), src], into: dst, count: total.count)
        }
    }

    // MARK: ModelledCostReporting

    public var modelledDeviceName: String { "TPU" }
    public var modelledStepSeconds: Double { report.stepSeconds }
    public var modelledMXUUtilization: Double { report.stepMXUUtilization }
}
