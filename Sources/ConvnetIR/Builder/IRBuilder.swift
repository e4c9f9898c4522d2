import ConvnetSema
import ConvnetSyntax

/// Why a training program could not be built.
public struct IRBuilderError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Builds the two programs of a checked model:
///
/// - `inference`: (weights, images (B,H,W,C)) -> probabilities (B,K);
/// - `trainingStep`: (weights, optimizer slots, images, labels, step, learning rate, dropout
///   seed) -> (new weights, new slots, loss, correct). Its backward half comes from
///   `Autodiff.gradients`, and the optimizer update is appended as elementwise chains.
public enum IRBuilder {
    /// The forward pass with moving statistics, no dropout, and softmax probabilities. Every
    /// layer kind lowers today; the signature keeps `IRBuilderError` for callers, as
    /// `trainingStep` throws it.
    public static func inference(_ model: CheckedModel, batch: Int) throws(IRBuilderError) -> IRProgram {
        var g = Graph()
        let params = parameters(of: model)
        let weights = declare(params, role: { $0.trainable ? .parameter : .state }, in: &g)
        let images = g.input(IRProgram.Names.images, .f32([batch] + model.inputShape.dims), role: .data)
        var forward = ForwardLowering(model: model, weights: weights, training: false, seed: nil)
        let result = forward.lower(images, in: &g)
        // One definition of the outputs everywhere: what training feeds softmax cross-entropy
        // (`logits`) are logits, and probabilities are their softmax, also for a head without one.
        let probabilities = result.output != result.logits ? result.output
            : g.emit(.softmax, [result.logits], layer: model.layers.last?.name ?? "output")
        g.outputs = [GraphOutput(name: IRProgram.Names.probabilities, value: probabilities)]
        return IRProgram(kind: .inference, graph: g, parameters: params, optimizerSlots: [], batch: batch)
    }

    /// One optimisation step on one batch. Loss is the mean softmax cross-entropy of the last
    /// layer's logits (its pre-softmax value; a head without softmax is taken as logits).
    /// Throws when the model does not end in (batch, classes), or when autodiff fails.
    public static func trainingStep(_ model: CheckedModel, batch: Int,
                                    optimizer: OptimizerSetting) throws -> IRProgram {
        var g = Graph()
        let params = parameters(of: model)
        let slots = optimizerSlots(for: params, optimizer)
        let weights = declare(params, role: { $0.trainable ? .parameter : .state }, in: &g)
        let slotValues = declare(slots, role: { _ in .optimizerSlot }, in: &g)
        let images = g.input(IRProgram.Names.images, .f32([batch] + model.inputShape.dims), role: .data)
        let labels = g.input(IRProgram.Names.labels, .i32([batch]), role: .data)
        let step = g.input(IRProgram.Names.step, .scalar, role: .data)
        let lr = g.input(IRProgram.Names.learningRate, .scalar, role: .data)
        let hasDropout = model.layers.contains { if case .dropout(let r) = $0.kind { r > 0 } else { false } }
        let seed = hasDropout ? g.input(IRProgram.Names.dropoutSeed, .i32([]), role: .data) : nil

        var forward = ForwardLowering(model: model, weights: weights, training: true, seed: seed)
        let result = forward.lower(images, in: &g)
        let logitsType = g.typeOf(result.logits)
        guard logitsType.rank == 2, logitsType.shape[1] >= 1 else {
            throw IRBuilderError("the model's output is \(logitsType); training needs (batch, classes) logits")
        }
        let loss = g.emit(.softmaxCrossEntropy(labelSmoothing: model.train.labelSmoothing), [result.logits, labels],
                          layer: "loss")
        let correct = g.emit(.correctCount, [result.logits, labels], layer: "loss")

        let trainable = params.filter(\.trainable)
        let grads = try Autodiff.gradients(of: loss, wrt: trainable.map { weights[$0.name]! }, in: &g)
        var outputs = OptimizerUpdate.append(
            optimizer, parameters: zip(trainable, grads).map { ($0, weights[$0.name]!, $1) },
            slots: slotValues, step: step, learningRate: lr, in: &g)
        outputs.merge(forward.stateUpdates) { a, _ in a }
        g.outputs = params.map { GraphOutput(name: $0.name, value: outputs[$0.name] ?? weights[$0.name]!) }
            + slots.map { GraphOutput(name: $0.name, value: outputs[$0.name]!) }
            + [GraphOutput(name: IRProgram.Names.loss, value: loss),
               GraphOutput(name: IRProgram.Names.correct, value: correct)]
        return IRProgram(kind: .trainingStep, graph: g, parameters: params, optimizerSlots: slots, batch: batch,
                         gradients: Dictionary(uniqueKeysWithValues: zip(trainable.map(\.name), grads)))
    }

    /// The zero-initialised optimizer slots of the trainable weights: Adam and AdamW `m`, `v`; SGD
    /// `velocity` when momentum is non-zero.
    public static func optimizerSlots(for params: [ParameterInfo], _ optimizer: OptimizerSetting) -> [ParameterInfo] {
        let suffixes: [String] = switch optimizer {
        case .adam, .adamw: ["m", "v"]
        case .sgd(_, let momentum, _): momentum != 0 ? ["velocity"] : []
        }
        return params.filter(\.trainable).flatMap { p in
            suffixes.map { ParameterInfo(name: p.name + "/" + $0, layer: p.layer, shape: p.shape,
                                         trainable: false, initializer: .zeros) }
        }
    }

    private static func declare(_ params: [ParameterInfo], role: (ParameterInfo) -> InputRole,
                                in g: inout Graph) -> [String: ValueID] {
        var values: [String: ValueID] = [:]
        for p in params { values[p.name] = g.input(p.name, p.type, role: role(p), layer: p.layer) }
        return values
    }
}
