import ConvnetSema
import ConvnetSyntax

/// One data-parallel training step on any backend, through the `ExecutableProgram` contract:
/// N compiled `gradientStep` programs (one per core, each on its shard) and one compiled
/// `updateStep` program (every core would run it on the same inputs, so it runs once).
///
/// Weights live here between steps: the trainable ones in the update program's inputs (its
/// `feedBack()` writes the new values), the moving statistics of batch norm in `state`. Each
/// step copies them into every core's program (the broadcast), runs the cores in core order,
/// sums the gradients element-wise in core order into the update program's `grad/<name>`
/// inputs (the all-reduce; fixed order, so runs are deterministic), averages the moving
/// statistics the same way, and runs the update, which divides by N.
public final class DataParallelTrainer {
    public let split: DataParallelSplit
    /// One per core, on `split.perCoreBatch` examples.
    public let cores: [any ExecutableProgram]
    public let update: any ExecutableProgram
    private let imageSize: Int
    private let trainable: [ParameterInfo]
    private let stateNames: [String]
    /// Moving statistics (non-trainable weights) by name, shared by every core.
    public private(set) var state: [String: [Float]] = [:]

    /// Builds and compiles the programs. Throws `DataParallelError` when the batch does not
    /// split evenly, and the builder's or the compiler's errors.
    public init(model: CheckedModel, globalBatch: Int, cores count: Int, optimizer: OptimizerDecl,
                compiler: any ProgramCompiler) throws {
        let split = try DataParallelSplit(globalBatch: globalBatch, cores: count)
        let gradient = try IRBuilder.gradientStep(model, batch: split.perCoreBatch)
        self.split = split
        self.cores = try (0..<count).map { _ in try compiler.compile(gradient) }
        self.update = try compiler.compile(IRBuilder.updateStep(model, optimizer: optimizer, cores: count))
        self.imageSize = model.inputShape.elementCount ?? 0
        self.trainable = gradient.parameters.filter(\.trainable)
        self.stateNames = gradient.parameters.filter { !$0.trainable }.map(\.name)
        for p in gradient.parameters where !p.trainable {
            state[p.name] = Array(repeating: p.initializer == .ones ? 1 : 0, count: p.elementCount)
        }
    }

    /// Sets a weight (trainable or a moving statistic) before training, e.g. its initial value.
    public func setWeight(_ name: String, _ values: [Float]) {
        if state[name] != nil {
            precondition(state[name]!.count == values.count, "\(name) has \(state[name]!.count) values")
            state[name] = values
        } else {
            let target = update.floats(input: name)
            precondition(target.count == values.count, "\(name) has \(target.count) values")
            _ = target.update(fromContentsOf: values)
        }
    }

    /// A weight's current value.
    public func weight(_ name: String) -> [Float] {
        state[name] ?? Array(update.floats(input: name))
    }

    /// One step on the global batch: `images` `(B,H,W,C)` and `labels` `(B)`, B = the global
    /// batch. `step` is Adam's 1-based t. Core c's dropout seed is `dropoutSeed + c`, so the
    /// shards draw different masks. Returns the mean loss over the batch (the mean of the
    /// cores' shard means) and the number of correct rows.
    public func step(images: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>, step: Int,
                     learningRate: Float, dropoutSeed: Int32 = 0) throws -> (loss: Float, correct: Int) {
        precondition(images.count == split.globalBatch * imageSize && labels.count == split.globalBatch,
                     "the batch must hold \(split.globalBatch) examples")
        var loss: Float = 0, correct = 0
        for (c, core) in cores.enumerated() {
            for p in trainable { _ = core.floats(input: p.name).update(fromContentsOf: update.floats(input: p.name)) }
            for name in stateNames { _ = core.floats(input: name).update(fromContentsOf: state[name]!) }
            let shard = split.shard(c)
            _ = core.floats(input: IRProgram.Names.images).update(
                fromContentsOf: images[shard.lowerBound * imageSize ..< shard.upperBound * imageSize])
            _ = core.int32s(input: IRProgram.Names.labels).update(fromContentsOf: labels[shard])
            if core.hasInput(IRProgram.Names.dropoutSeed) {
                core.int32s(input: IRProgram.Names.dropoutSeed)[0] = dropoutSeed &+ Int32(c)
            }
            try core.run()
            loss += core.scalar(output: IRProgram.Names.loss)
            correct += Int(core.scalar(output: IRProgram.Names.correct))
        }
        // The all-reduce: a sum in core order; the update program divides by N.
        for p in trainable {
            let name = IRProgram.Names.gradient(of: p.name)
            sumInCoreOrder(cores.map { $0.floats(output: name) }, into: update.floats(input: name))
        }
        // Moving statistics: the mean of the cores' new values (sum in core order, then / N).
        for name in stateNames {
            var total = Array(repeating: Float(0), count: state[name]!.count)
            total.withUnsafeMutableBufferPointer { sumInCoreOrder(cores.map { $0.floats(output: name) }, into: $0) }
            state[name] = total.map { $0 / Float(cores.count) }
        }
        update.setScalar(IRProgram.Names.step, Float(step))
        update.setScalar(IRProgram.Names.learningRate, learningRate)
        try update.run()
        update.feedBack()
        return (loss / Float(cores.count), correct)
    }

    /// `target = sources[0] + sources[1] + ...`, element-wise, in that order.
    private func sumInCoreOrder(_ sources: [UnsafeBufferPointer<Float>], into target: UnsafeMutableBufferPointer<Float>) {
        _ = target.update(fromContentsOf: sources[0])
        for s in sources.dropFirst() {
            for i in target.indices { target[i] += s[i] }
        }
    }
}
