import Foundation

/// Adam exactly as Keras writes it (keras.optimizers.Adam, no amsgrad):
/// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// lr_t = lr sqrt(1 - b2^t) / (1 - b1^t); p -= lr_t m / (sqrt(v) + eps).
/// Note eps is added to sqrt(v) un-corrected, which is what makes Keras' epsilon 1e-7 differ from
/// the paper's form.
public struct Adam: Hashable, Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float

    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    /// The bias-corrected step size of step `step` (1-based), computed in Float64.
    public func stepSize(step: Int) -> Float {
        let t = Double(step)
        return Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
    }

    /// One update of `count` parameters with their gradients and moment buffers (all `count`),
    /// for step `step` (1-based: the first update is step 1).
    public func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                       m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                       count: Int, step: Int) {
        precondition(step >= 1, "Adam steps count from 1")
        let lrT = stepSize(step: step), b1 = beta1, b2 = beta2, eps = epsilon
        Parallel.forRanges(count, grain: 16384) { range in
            for i in range {
                let g = gradients[i]
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                parameters[i] -= lrT * m[i] / (v[i].squareRoot() + eps)
            }
        }
    }
}

/// SGD with optional momentum, as Keras writes it: v = momentum v - lr g; p += v
/// (plain p -= lr g when momentum is 0; the velocity buffer is then not touched and may be nil).
public struct SGD: Hashable, Sendable {
    public var learningRate: Float
    public var momentum: Float

    public init(learningRate: Float = 0.01, momentum: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func update(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>,
                       velocity: UnsafeMutablePointer<Float>?, count: Int) {
        let lr = learningRate, mu = momentum
        Parallel.forRanges(count, grain: 16384) { range in
            if mu == 0 {
                for i in range { parameters[i] -= lr * gradients[i] }
            } else {
                guard let v = velocity else { preconditionFailure("SGD with momentum needs a velocity buffer") }
                for i in range {
                    v[i] = mu * v[i] - lr * gradients[i]
                    parameters[i] += v[i]
                }
            }
        }
    }
}
