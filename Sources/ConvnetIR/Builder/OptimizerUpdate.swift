import ConvnetSyntax

/// Appends the optimizer's update as plain elementwise chains, Keras' formulas:
///
/// - Adam: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t); m = b1*m + (1-b1)*g;
///   v = b2*v + (1-b2)*g^2; p -= lr_t * m / (sqrt(v) + eps), with b1 0.9, b2 0.999, eps 1e-7.
/// - AdamW (Keras 3): first p -= lr * wd * p with the scheduled rate (not lr_t), then Adam's step.
/// - SGD: v = mu*v - lr*g; p += v (without momentum: p -= lr*g); with Nesterov (Keras 3):
///   p += mu*v - lr*g with the new v.
///
/// The learning rate and step t are graph inputs, so a schedule changes them per call.
public enum OptimizerUpdate {
    public static let adamBeta1 = 0.9
    public static let adamBeta2 = 0.999
    public static let adamEpsilon = 1e-7

    /// Returns the new value of every updated weight and slot, by name. `parameters` are
    /// (weight, its value, its gradient); `slots` maps slot names to their input values.
    public static func append(_ optimizer: OptimizerSetting,
                              parameters: [(info: ParameterInfo, value: ValueID, gradient: ValueID)],
                              slots: [String: ValueID], step: ValueID, learningRate lr: ValueID,
                              in g: inout Graph) -> [String: ValueID] {
        var out: [String: ValueID] = [:]
        switch optimizer {
        case .adam, .adamw:
            let decay: ValueID? = if case .adamw(_, let wd) = optimizer {
                g.mul(lr, g.constant(wd, layer: "optimizer"), layer: "optimizer")
            } else { nil }
            let (b1, b2) = (adamBeta1, adamBeta2)
            let one = g.constant(1, layer: "optimizer")
            let beta1 = g.constant(b1, layer: "optimizer"), beta2 = g.constant(b2, layer: "optimizer")
            let rest1 = g.constant(1 - b1, layer: "optimizer"), rest2 = g.constant(1 - b2, layer: "optimizer")
            let b1t = g.binary(.pow, beta1, step, layer: "optimizer")
            let b2t = g.binary(.pow, beta2, step, layer: "optimizer")
            let correction = g.div(g.unary(.sqrt, g.sub(one, b2t, layer: "optimizer"), layer: "optimizer"),
                                   g.sub(one, b1t, layer: "optimizer"), layer: "optimizer")
            let lrT = g.mul(lr, correction, layer: "optimizer")
            let eps = g.constant(adamEpsilon, layer: "optimizer")
            for (p, value, grad) in parameters {
                let l = p.layer
                let m = g.add(g.mul(slots[p.name + "/m"]!, beta1, layer: l), g.mul(grad, rest1, layer: l), layer: l)
                let g2 = g.mul(grad, grad, layer: l)
                let v = g.add(g.mul(slots[p.name + "/v"]!, beta2, layer: l), g.mul(g2, rest2, layer: l), layer: l)
                let denom = g.add(g.unary(.sqrt, v, layer: l), eps, layer: l)
                let delta = g.div(g.mul(m, lrT, layer: l), denom, layer: l)
                let decayed = decay.map { g.sub(value, g.mul(value, $0, layer: l), layer: l) } ?? value
                out[p.name] = g.sub(decayed, delta, layer: l)
                out[p.name + "/m"] = m
                out[p.name + "/v"] = v
            }
        case .sgd(_, let momentum, let nesterov):
            let mu = g.constant(momentum, layer: "optimizer")
            for (p, value, grad) in parameters {
                let l = p.layer
                let step = g.mul(grad, lr, layer: l)
                if momentum != 0 {
                    let v = g.sub(g.mul(slots[p.name + "/velocity"]!, mu, layer: l), step, layer: l)
                    out[p.name] = nesterov ? g.add(value, g.sub(g.mul(v, mu, layer: l), step, layer: l), layer: l)
                        : g.add(value, v, layer: l)
                    out[p.name + "/velocity"] = v
                } else {
                    out[p.name] = g.sub(value, step, layer: l)
                }
            }
        }
        return out
    }
}
