import ConvnetSema
import ConvnetSyntax

/// Lowers a checked model's graph to forward IR, node by node in topological order, each node
/// reading the values of its inputs. Shared by inference (moving
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

    /// Builds every node from the values of its inputs, in the model's topological order (every
    /// layer kind has IR ops).
    mutating func lower(_ images: ValueID, in g: inout Graph) -> Result {
        // Per node: its output value, and its value before a final softmax (the logits).
        var outputs: [ValueID] = []
        var logitsOf: [ValueID] = []
        outputs.reserveCapacity(model.layers.count)
        for layer in model.layers {
            let n = layer.name
            let xs = layer.inputs.map { input -> ValueID in
                switch input {
                case .modelInput: images  // (B,H,W,C)
                case .layer(let i): outputs[i]
                }
            }
            let x = xs[0]
            var logits: ValueID
            let y: ValueID
            // Training feeds the last layer's logits to softmax_xent, so its softmax is not built.
            let skipSoftmax = training && layer.index == model.layers.count - 1
            func w(_ suffix: String) -> ValueID { weights[n + "/" + suffix]! }
            switch layer.kind {
            case .conv(let c):
                let attrs = ConvAttributes(kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth,
                                           stride: c.stride, padding: c.padding)
                let z = g.emit(.conv2d(attrs), [x, w("kernel")], layer: n)
                logits = c.useBias ? g.emit(.biasAdd, [z, w("bias")], layer: n) : z
                y = activate(c.activation, logits, layer: n, skipSoftmax: skipSoftmax, in: &g)
            case .dense(let d):
                var input = x
                let t = g.typeOf(x)
                if t.rank != 2 {
                    input = g.emit(.reshape, [x], declared: .f32([t.shape[0], t.elementCount / t.shape[0]]), layer: n)
                }
                let z = g.emit(.matmul(transposeA: false, transposeB: false), [input, w("kernel")], layer: n)
                logits = g.emit(.biasAdd, [z, w("bias")], layer: n)
                y = activate(d.activation, logits, layer: n, skipSoftmax: skipSoftmax, in: &g)
            case .maxPool(let p):
                y = g.emit(.maxPool(poolAttributes(p, over: g.typeOf(x))), [x], layer: n)
                logits = y
            case .avgPool(let p):
                y = g.emit(.avgPool(poolAttributes(p, over: g.typeOf(x))), [x], layer: n)
                logits = y
            case .globalAveragePool:
                y = g.emit(.spatialMean, [x], layer: n)
                logits = y
            case .flatten:
                let t = g.typeOf(x)
                y = t.rank != 2
                    ? g.emit(.reshape, [x], declared: .f32([t.shape[0], t.elementCount / t.shape[0]]), layer: n) : x
                logits = y
            case .dropout(let rate):
                if training, rate > 0, let seed {
                    y = g.emit(.dropout(DropoutAttributes(rate: rate, salt: layer.index)), [x, seed], layer: n)
                } else {
                    y = x
                }
                logits = y
            case .batchNorm(let b):
                if training {
                    y = g.emit(.batchNormTraining(epsilon: b.epsilon), [x, w("gamma"), w("beta")], layer: n)
                    updateMovingStatistics(of: x, momentum: b.momentum, layer: n, in: &g)
                } else {
                    y = g.emit(.batchNormInference(epsilon: b.epsilon),
                               [x, w("gamma"), w("beta"), w("moving_mean"), w("moving_variance")], layer: n)
                }
                logits = y
            case .activation(let a):
                logits = x
                y = activate(a, x, layer: n, skipSoftmax: skipSoftmax, in: &g)
            case .add:
                // Fan-out needs nothing here: autodiff sums the adjoints of a value read twice.
                y = xs.dropFirst().reduce(x) { g.add($0, $1, layer: n) }
                logits = y
            case .concat:
                y = g.emit(.concat, xs, layer: n)
                logits = y
            case .depthwiseConv(let d):
                let attrs = ConvAttributes(kernelHeight: d.kernelHeight, kernelWidth: d.kernelWidth,
                                           stride: d.stride, padding: d.padding)
                let z = g.emit(.depthwiseConv2d(attrs), [x, w("kernel")], layer: n)
                logits = g.emit(.biasAdd, [z, w("bias")], layer: n)
                y = activate(d.activation, logits, layer: n, skipSoftmax: skipSoftmax, in: &g)
            case .separableConv(let c):
                // Keras SeparableConv2D: depthwise (no bias), then a 1x1 convolution, one bias.
                let depthwise = ConvAttributes(kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth,
                                               stride: c.stride, padding: c.padding)
                let z = g.emit(.depthwiseConv2d(depthwise), [x, w("depthwise_kernel")], layer: n)
                let p = g.emit(.conv2d(ConvAttributes(kernelHeight: 1, kernelWidth: 1)), [z, w("pointwise_kernel")], layer: n)
                logits = g.emit(.biasAdd, [p, w("bias")], layer: n)
                y = activate(c.activation, logits, layer: n, skipSoftmax: skipSoftmax, in: &g)
            }
            outputs.append(y)
            logitsOf.append(logits)
        }
        return Result(output: outputs[outputs.count - 1], logits: logitsOf[logitsOf.count - 1])
    }

    /// The IR's pool for `p` over x (B,H,W,C). A `same` pool whose windows all fit in the image
    /// (no padding on either axis, e.g. 2x2 windows at stride 2 over an even size) is the `valid`
    /// pool of the same output size (valid <= same always, and no padding means the last window
    /// fits), so it is written `valid` and keeps the fast kernels that take unpadded pools only.
    private func poolAttributes(_ p: PoolDecl, over x: TensorType) -> PoolAttributes {
        var attrs = PoolAttributes(size: p.size, stride: p.stride, padding: p.padding)
        if p.padding == .same, !attrs.geometry(x.shape).isPadded { attrs.padding = .valid }
        return attrs
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
    private mutating func updateMovingStatistics(of x: ValueID, momentum m: Double, layer n: String,
                                                 in g: inout Graph) {
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
