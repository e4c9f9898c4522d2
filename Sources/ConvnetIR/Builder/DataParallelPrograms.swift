/// The programs of one data-parallel training step (`--cores N`), cut out of a training step's
/// IR (`IRBuilder.trainingStep`, the one construction of forward, loss, backward and update) at
/// its gradients (`IRProgram.gradients`): IR in, IR out.
///
/// 1. `gradient` runs on every core on its shard `(B/N, H, W, C)`: forward, loss, backward.
///    Outputs `grad/<weight>` for every trainable weight (the gradient of THIS shard's mean
///    loss), `loss`, `correct`, and the new moving statistics of batch norm under their own
///    names. It is the step's backward slice of those values.
/// 2. The gradients are all-reduced: a plain element-wise SUM over the cores in a fixed order
///    (core 0 first), so runs are deterministic (`TPUEmulator.AllReduce.sum`).
/// 3. `update` runs on every core with the same inputs, so every core ends with the same
///    weights: it divides the summed gradients by N and applies the optimizer. It is the step's
///    slice from the gradients to the new weights and slots, the gradients becoming inputs.
///
/// Where the 1/N goes: in the update program (each `grad/<weight>` input is divided by N before
/// the optimizer). With equal shards the global mean loss is the mean of the shard means, so
/// sum / N is exactly the gradient of the whole batch's loss (up to fp32 rounding); the
/// all-reduce stays a pure sum, as on a TPU.
///
/// Batch norm: each core normalises with its own shard's statistics (as Keras does on a TPU
/// without synchronised batch norm), so a model with batch norm is not bit-equivalent to one
/// big step. Its moving statistics are combined as the MEAN of the cores' updated values (Keras
/// creates them with `VariableAggregation.MEAN`); that equals `momentum * old + (1 - momentum)
/// * mean of the shard statistics`. Dropout masks hash the element index within the shard.
///
/// The per-core batch: the gradient program is cut from a training step built at the per-core
/// batch (`stepAtBatch`). The IR fixes the batch into its shapes and into constants (batch
/// norm's 1/N, the loss's mean), so re-batching a built graph is not a safe rewrite; with one
/// core the step given is cut as it is, and nothing is rebuilt.
public struct DataParallelProgramSet: Sendable {
    /// The training step whose names the executable presents.
    public let trainingStep: IRProgram
    public let split: DataParallelSplit
    /// Runs on every core's shard (`split.perCoreBatch` examples).
    public let gradient: IRProgram
    /// Runs once after the all-reduce.
    public let update: IRProgram

    /// The programs of `trainingStep` (the trainer's, at the global batch) over `cores` cores.
    /// `stepAtBatch(b)` is the same model's training step at batch `b` (the driver's
    /// `IRBuilder.trainingStep`), asked for the per-core batch when it differs from the step's,
    /// or when the step given no longer carries its gradients. Throws `DataParallelError` when
    /// the batch does not split, and `IRBuilderError` when the per-core step's weights or slots
    /// are not the training step's or the step does not cut at its gradients.
    public init(trainingStep: IRProgram, cores: Int,
                stepAtBatch: (Int) throws -> IRProgram) throws {
        let split = try DataParallelSplit(globalBatch: trainingStep.batch, cores: cores)
        let perCore = split.perCoreBatch == trainingStep.batch && !trainingStep.gradients.isEmpty
            ? trainingStep : try stepAtBatch(split.perCoreBatch)
        guard perCore.kind == .trainingStep, perCore.batch == split.perCoreBatch else {
            throw IRBuilderError("the per-core program is not a training step at batch \(split.perCoreBatch)")
        }
        guard perCore.parameters.map(\.name) == trainingStep.parameters.map(\.name) else {
            throw IRBuilderError("the training step's weights do not match the model its data-parallel programs are built from")
        }
        guard perCore.optimizerSlots.map(\.name) == trainingStep.optimizerSlots.map(\.name) else {
            throw IRBuilderError("the training step's optimizer slots do not match the data-parallel update's optimizer")
        }
        self.trainingStep = trainingStep
        self.split = split
        self.gradient = try Self.gradientProgram(of: perCore)
        self.update = try Self.updateProgram(of: perCore, cores: cores)
    }

    /// The per-core gradient program of `step`: (weights, images, labels, optional dropout_seed)
    /// -> (`grad/<name>` per trainable weight, `loss`, `correct`, new moving statistics), the
    /// step's values under their value numbers. Its `parameters` are all the step's weights, its
    /// slots none, its batch the step's.
    public static func gradientProgram(of step: IRProgram) throws -> IRProgram {
        let g = step.graph
        let grads = try gradients(of: step)
        var outputs = zip(step.parameters.filter(\.trainable), grads).map {
            GraphOutput(name: IRProgram.Names.gradient(of: $0.name), value: $1)
        }
        for name in [IRProgram.Names.loss, IRProgram.Names.correct] {
            guard let v = g.output(named: name) else { throw IRBuilderError("the training step has no `\(name)` output") }
            outputs.append(GraphOutput(name: name, value: v))
        }
        for p in step.parameters where !p.trainable {
            // A moving statistic the step updates (its output is not its own input).
            if let v = g.output(named: p.name), v != g.input(named: p.name)?.result {
                outputs.append(GraphOutput(name: p.name, value: v))
            }
        }
        let updateInputs = optimizerInputs(of: step)
        let needed = slice(g, from: outputs.map(\.value), stoppingAt: [])
        for inst in g.instructions where needed.contains(inst.result) && updateInputs.contains(inst.result) {
            throw IRBuilderError("the gradient pass reads `\(inst.name ?? "?")`, an input of the optimizer update")
        }
        // Every weight and data input stays, used or not, so the program's interface is the model's.
        let kept = g.instructions.filter { inst in
            if case .input = inst.op { return !updateInputs.contains(inst.result) }
            return needed.contains(inst.result)
        }
        return IRProgram(kind: .trainingStep, graph: Graph(instructions: kept, outputs: outputs),
                         parameters: step.parameters, optimizerSlots: [], batch: step.batch, gradients: step.gradients)
    }

    /// The update program of `step` that every core runs after the all-reduce: (trainable
    /// weights, optimizer slots, `grad/<name>` = the SUM of the cores' gradients, step,
    /// learning_rate) -> (new weights, new slots), under the same names as their inputs. Each
    /// gradient is divided by `cores` first (with one core it is used as given). Its
    /// `parameters` are the trainable weights only (moving statistics come from the gradient
    /// program), its batch 0 (it reads no examples).
    public static func updateProgram(of step: IRProgram, cores: Int) throws -> IRProgram {
        precondition(cores >= 1, "cores must be at least 1")
        let source = step.graph
        let trainable = step.parameters.filter(\.trainable)
        let grads = try gradients(of: step)
        var outputs: [GraphOutput] = []
        for p in trainable + step.optimizerSlots {
            guard let v = source.output(named: p.name) else { throw IRBuilderError("the training step has no `\(p.name)` output") }
            outputs.append(GraphOutput(name: p.name, value: v))
        }
        let needed = slice(source, from: outputs.map(\.value), stoppingAt: Set(grads))
        let allowed = optimizerInputs(of: step).union(
            source.inputs.filter { if case .input(.parameter) = $0.op { true } else { false } }.map(\.result))
        var g = Graph()
        g.nextValue = source.nextValue
        for inst in source.instructions {
            guard case .input = inst.op else { continue }
            if allowed.contains(inst.result) {
                g.instructions.append(inst)
            } else if needed.contains(inst.result) {
                throw IRBuilderError("the optimizer update reads `\(inst.name ?? "?")`, which only the gradient pass has")
            }
        }
        // The gradients become inputs, each divided by N (a division, so that N = 1 would be
        // exact anyway; with one core there is none).
        var replaced: [ValueID: ValueID] = [:]
        var summed: [ValueID] = []
        for p in trainable {
            summed.append(g.input(IRProgram.Names.gradient(of: p.name), p.type, role: .data, layer: p.layer))
        }
        let n = cores > 1 ? g.constant(Double(cores), layer: "all_reduce") : nil
        for (p, (value, sum)) in zip(trainable, zip(grads, summed)) {
            replaced[value] = n.map { g.div(sum, $0, layer: p.layer) } ?? sum
        }
        for inst in source.instructions where needed.contains(inst.result) {
            if case .input = inst.op { continue }
            var copy = inst
            copy.operands = inst.operands.map { replaced[$0] ?? $0 }
            g.instructions.append(copy)
        }
        g.outputs = outputs.map { GraphOutput(name: $0.name, value: replaced[$0.value] ?? $0.value) }
        return IRProgram(kind: .trainingStep, graph: g, parameters: trainable, optimizerSlots: step.optimizerSlots, batch: 0)
    }

    /// The trainable weights' gradients in parameter order; throws when the step does not carry
    /// them (not built by `IRBuilder.trainingStep`, or already optimized) or two weights share one.
    static func gradients(of step: IRProgram) throws -> [ValueID] {
        guard step.kind == .trainingStep else { throw IRBuilderError("only a training step splits over cores") }
        let trainable = step.parameters.filter(\.trainable)
        let grads = try trainable.map { p in
            guard let v = step.gradients[p.name] else {
                throw IRBuilderError("the training step does not say where the gradient of \(p.name) is "
                                     + "(split a step as IRBuilder built it, before optimizing it)")
            }
            return v
        }
        guard Set(grads).count == grads.count else { throw IRBuilderError("two weights share one gradient value") }
        return grads
    }

    /// The inputs only the optimizer update reads: slots, `step`, `learning_rate`.
    static func optimizerInputs(of step: IRProgram) -> Set<ValueID> {
        Set(step.graph.inputs.filter { inst in
            if case .input(.optimizerSlot) = inst.op { return true }
            return inst.name == IRProgram.Names.step || inst.name == IRProgram.Names.learningRate
        }.map(\.result))
    }

    /// The values `roots` depend on (themselves included), not looking past `stops` (which are
    /// left out).
    static func slice(_ g: Graph, from roots: [ValueID], stoppingAt stops: Set<ValueID>) -> Set<ValueID> {
        let index = g.definitionIndex()
        var seen: Set<ValueID> = []
        var work = roots.filter { !stops.contains($0) }
        while let v = work.popLast() {
            guard seen.insert(v).inserted, let i = index[v] else { continue }
            let inst = g.instructions[i]
            seen.formUnion(inst.definitions.map(\.value))
            for o in inst.operands where !stops.contains(o) && !seen.contains(o) { work.append(o) }
        }
        return seen
    }
}

extension IRProgram.Names {
    /// `grad/conv2d_1/kernel`: a weight's gradient, output of the gradient program, input of the
    /// update program.
    public static func gradient(of weight: String) -> String { "grad/" + weight }
}
