import ConvnetSema
import ConvnetSyntax

/// The two programs of a data-parallel training step (`--cores N`):
///
/// 1. `gradientStep` runs on every core on its shard `(B/N, H, W, C)`: forward, loss, backward.
///    Outputs `grad/<weight>` for every trainable weight (the gradient of THIS shard's mean
///    loss), `loss`, `correct`, and the new moving statistics of batch norm under their own
///    names.
/// 2. The gradients are all-reduced: a plain element-wise SUM over the cores in a fixed order
///    (core 0 first), so runs are deterministic (`TPUEmulator.AllReduce.sum`).
/// 3. `updateStep` runs on every core with the same inputs, so every core ends with the same
///    weights: it divides the summed gradients by N and applies the optimizer.
///
/// Where the 1/N goes: in the update program (`updateStep(..., cores: N)` divides each
/// `grad/<weight>` input by N before the optimizer). With equal shards the global mean loss is
/// the mean of the shard means, so sum / N is exactly the gradient of the whole batch's loss
/// (up to fp32 rounding); the all-reduce stays a pure sum, as on a TPU.
///
/// Batch norm: each core normalises with its own shard's statistics (as Keras does on a TPU
/// without synchronised batch norm), so a model with batch norm is not bit-equivalent to one
/// big step. Its moving statistics are combined as the MEAN of the cores' updated values (Keras
/// creates them with `VariableAggregation.MEAN`); that equals `momentum * old + (1 - momentum)
/// * mean of the shard statistics`. Dropout masks hash the element index within the shard.
extension IRBuilder {
    /// The per-core gradient program: (weights, images `(B,H,W,C)`, labels `(B)`, optional
    /// dropout_seed) -> (`grad/<name>` per trainable weight, `loss`, `correct`, new moving
    /// statistics). `batch` is the PER-CORE batch (`DataParallelSplit.perCoreBatch`). The
    /// program's `kind` is `.trainingStep`; it has no optimizer slots.
    public static func gradientStep(_ model: CheckedModel, batch: Int) throws -> IRProgram {
        var g = Graph()
        let params = parameters(of: model)
        var weights: [String: ValueID] = [:]
        for p in params {
            weights[p.name] = g.input(p.name, p.type, role: p.trainable ? .parameter : .state, layer: p.layer)
        }
        let images = g.input(IRProgram.Names.images, .f32([batch] + model.inputShape.dims), role: .data)  // (B,H,W,C)
        let labels = g.input(IRProgram.Names.labels, .i32([batch]), role: .data)  // (B)
        let hasDropout = model.layers.contains { if case .dropout(let r) = $0.kind { r > 0 } else { false } }
        let seed = hasDropout ? g.input(IRProgram.Names.dropoutSeed, .i32([]), role: .data) : nil

        var forward = ForwardLowering(model: model, weights: weights, training: true, seed: seed)
        let result = forward.lower(images, in: &g)
        let logitsType = g.typeOf(result.logits)  // (B, K)
        guard logitsType.rank == 2, logitsType.shape[1] >= 1 else {
            throw IRBuilderError("the model's output is \(logitsType); training needs (batch, classes) logits")
        }
        let loss = g.emit(.softmaxCrossEntropy, [result.logits, labels], layer: "loss")
        let correct = g.emit(.correctCount, [result.logits, labels], layer: "loss")

        let trainable = params.filter(\.trainable)
        let grads = try Autodiff.gradients(of: loss, wrt: trainable.map { weights[$0.name]! }, in: &g)
        g.outputs = zip(trainable, grads).map { GraphOutput(name: IRProgram.Names.gradient(of: $0.name), value: $1) }
            + [GraphOutput(name: IRProgram.Names.loss, value: loss),
               GraphOutput(name: IRProgram.Names.correct, value: correct)]
            + params.compactMap { p in forward.stateUpdates[p.name].map { GraphOutput(name: p.name, value: $0) } }
        return IRProgram(kind: .trainingStep, graph: g, parameters: params, optimizerSlots: [], batch: batch)
    }

    /// The update program every core runs after the all-reduce: (trainable weights, optimizer
    /// slots, `grad/<name>` = the SUM of the cores' gradients, step, learning_rate) -> (new
    /// weights, new slots), under the same names as their inputs so `feedBack()` applies them.
    /// Each gradient is divided by `cores` first (see the extension's doc comment); with
    /// `cores: 1` the gradients are used as given. The program's `parameters` are the trainable
    /// weights only (moving statistics come from the gradient program), its `batch` is 0 (it
    /// reads no examples), and its `kind` is `.trainingStep`.
    public static func updateStep(_ model: CheckedModel, optimizer: OptimizerDecl, cores: Int = 1) -> IRProgram {
        precondition(cores >= 1, "cores must be at least 1")
        var g = Graph()
        let trainable = parameters(of: model).filter(\.trainable)
        let slots = optimizerSlots(for: trainable, optimizer)
        var weights: [String: ValueID] = [:]
        for p in trainable { weights[p.name] = g.input(p.name, p.type, role: .parameter, layer: p.layer) }
        var slotValues: [String: ValueID] = [:]
        for s in slots { slotValues[s.name] = g.input(s.name, s.type, role: .optimizerSlot, layer: s.layer) }
        var grads: [String: ValueID] = [:]
        for p in trainable {
            grads[p.name] = g.input(IRProgram.Names.gradient(of: p.name), p.type, role: .data, layer: p.layer)
        }
        let step = g.input(IRProgram.Names.step, .scalar, role: .data)
        let lr = g.input(IRProgram.Names.learningRate, .scalar, role: .data)

        // The 1/N of the global mean: sum / N, a division so that N = 1 would be exact anyway.
        let n = cores > 1 ? g.constant(Double(cores), layer: "all_reduce") : nil
        let meanGrads = trainable.map { p in n.map { g.div(grads[p.name]!, $0, layer: p.layer) } ?? grads[p.name]! }
        let outputs = OptimizerUpdate.append(
            optimizer, parameters: zip(trainable, meanGrads).map { ($0, weights[$0.name]!, $1) },
            slots: slotValues, step: step, learningRate: lr, in: &g)
        g.outputs = trainable.map { GraphOutput(name: $0.name, value: outputs[$0.name]!) }
            + slots.map { GraphOutput(name: $0.name, value: outputs[$0.name]!) }
        return IRProgram(kind: .trainingStep, graph: g, parameters: trainable, optimizerSlots: slots, batch: 0)
    }
}

extension IRProgram.Names {
    /// `grad/conv2d_1/kernel`: a weight's gradient, output of `gradientStep`, input of `updateStep`.
    public static func gradient(of weight: String) -> String { "grad/" + weight }
}

/// The programs of one data-parallel training step, built for a training step the trainer made
/// (its global batch and names): the per-core `gradientStep` and the `updateStep`, IR programs
/// a backend compiles as given (the TPU target optimizes each once). The driver builds it; the
/// backend never goes back to the model.
public struct DataParallelProgramSet: Sendable {
    /// The training step whose names the executable presents.
    public let trainingStep: IRProgram
    public let split: DataParallelSplit
    /// Runs on every core's shard (`split.perCoreBatch` examples).
    public let gradient: IRProgram
    /// Runs once after the all-reduce.
    public let update: IRProgram

    /// Builds both programs of `model` for `trainingStep`'s global batch over `cores` cores.
    /// Throws `DataParallelError` when the batch does not split, and `IRBuilderError` when the
    /// training step's weights or slots are not the model's (built from another model or with
    /// another optimizer).
    public init(model: CheckedModel, trainingStep: IRProgram, cores: Int, optimizer: OptimizerDecl) throws {
        let split = try DataParallelSplit(globalBatch: trainingStep.batch, cores: cores)
        let gradient = try IRBuilder.gradientStep(model, batch: split.perCoreBatch)
        let update = IRBuilder.updateStep(model, optimizer: optimizer, cores: cores)
        guard gradient.parameters.map(\.name) == trainingStep.parameters.map(\.name) else {
            throw IRBuilderError("the training step's weights do not match the model its data-parallel programs are built from")
        }
        guard update.optimizerSlots.map(\.name) == trainingStep.optimizerSlots.map(\.name) else {
            throw IRBuilderError("the training step's optimizer slots do not match the data-parallel update's optimizer")
        }
        self.trainingStep = trainingStep
        self.split = split
        self.gradient = gradient
        self.update = update
    }
}
