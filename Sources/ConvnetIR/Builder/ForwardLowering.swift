import ConvnetSema
import ConvnetSyntax

/// Lowers a checked model's layers, in order, to forward IR. Shared by inference (moving
/// statistics, no dropout) and training (batch statistics and their moving-average updates,
/// dropout with the step seed).
struct ForwardLowering {
    let model: CheckedModel
    /// Weight inputs by Keras name.
    let weights: [String: ValueID]
    let training: Bool
    let seed: ValueID?
    /// Training only: the new moving statistics by weight name.
    var stateUpdates: [String: ValueID] = [:]

    init(model: CheckedModel, weights: [String: ValueID], training: Bool, seed: ValueID?) {
        self.model = model
        self.weights = weights
        self.training = training
        self.seed = seed
    }

    /// `output` is the last layer's result; `logits` is its value before a final softmax.
    struct Result {
        var output: ValueID
        var logits: ValueID
    }

    mutating func lower(_ images: ValueID, in g: inout Graph) -> Result {
        var x = images  // (B,H,W,C)
        var logits = images
        for layer in model.layers {
            let n = layer.name
            // Training feeds the last layer's logits to softmax_xent, so its softmax is not built.
            let skipSoftmax = training && layer.index == model.layers.count - 1
            func w(_ suffix: String) -> ValueID { weights[n + "/" + suffix]! }
            switch layer.kind {
            case .conv(let c):
                let attrs = ConvAttributes(kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth,
                                           stride: c.stride, padding: c.padding)
                let y = g.emit(.conv2d(attrs), [x, w("kernel")], layer: n)
                logits = g.emit(.biasAdd, [y, w("bias")], layer: n)
                x = activate(c.activation, logits, layer: n, skipSoftmax: skipSoftmax, in: &g)
            case .dense(let d):
                var input = x
                let t = g.typeOf(x)
                if t.rank != 2 {
                    input = g.emit(.reshape, [x], declared: .f32([t.shape[0], t.elementCount / t.shape[0]]), layer: n)
                }
                let y = g.emit(.matmul(transposeA: false, transposeB: false), [input, w("kernel")], layer: n)
                logits = g.emit(.biasAdd, [y, w("bias")], layer: n)
                x = activate(d.activation, logits, layer: n, skipSoftmax: skipSoftmax, in: &g)
            case .maxPool(let p):
                x = g.emit(.maxPool(PoolAttributes(size: p.size, stride: p.stride)), [x], layer: n)
                logits = x
            case .avgPool(let p):
                x = g.emit(.avgPool(PoolAttributes(size: p.size, stride: p.stride)), [x], layer: n)
                logits = x
            case .globalAveragePool:
                x = g.emit(.spatialMean, [x], layer: n)
                logits = x
            case .flatten:
                let t = g.typeOf(x)
                if t.rank != 2 {
                    x = g.emit(.reshape, [x], declared: .f32([t.shape[0], t.elementCount / t.shape[0]]), layer: n)
                }
                logits = x
            case .dropout(let rate):
                if training, rate > 0, let seed {
                    x = g.emit(.dropout(DropoutAttributes(rate: rate, salt: layer.index)), [x, seed], layer: n)
                }
                logits = x
            case .batchNorm:
                let eps = IRBuilder.batchNormEpsilon
                if training {
                    let y = g.emit(.batchNormTraining(epsilon: eps), [x, w("gamma"), w("beta")], layer: n)
                    updateMovingStatistics(of: x, layer: n, in: &g)
                    x = y
                } else {
                    x = g.emit(.batchNormInference(epsilon: eps),
                               [x, w("gamma"), w("beta"), w("moving_mean"), w("moving_variance")], layer: n)
                }
                logits = x
            }
        }
        return Result(output: x, logits: logits)
    }

    /// pointwise activation, or softmax over the last axis; `linear` is the identity.
    private func activate(_ a: Activation, _ v: ValueID, layer: String, skipSoftmax: Bool,
                          in g: inout Graph) -> ValueID {
        switch a {
        case .relu: g.emit(.activation(.relu), [v], layer: layer)
        case .sigmoid: g.emit(.activation(.sigmoid), [v], layer: layer)
        case .tanh: g.emit(.activation(.tanh), [v], layer: layer)
        case .softmax: skipSoftmax ? v : g.emit(.softmax, [v], layer: layer)
        case .linear: v
        }
    }

    /// moving = momentum * moving + (1 - momentum) * batch statistic (Keras' update).
    private mutating func updateMovingStatistics(of x: ValueID, layer n: String, in g: inout Graph) {
        let m = IRBuilder.batchNormMomentum
        let mean = g.emit(.batchMean, [x], layer: n)
        let variance = g.emit(.batchVariance, [x], layer: n)
        for (stat, value) in [("moving_mean", mean), ("moving_variance", variance)] {
            let old = weights[n + "/" + stat]!
            let kept = g.scale(old, by: m, layer: n)
            let fresh = g.scale(value, by: 1 - m, layer: n)
            stateUpdates[n + "/" + stat] = g.add(kept, fresh, layer: n)
        }
    }
}
