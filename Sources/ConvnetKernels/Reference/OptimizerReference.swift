/// Twins of `Adam` and `SGD`: the Keras update written out per parameter in the generic type.
public enum OptimizerReference {
    /// One Keras Adam step (1-based `step`).
    public static func adam<T: ReferenceScalar>(parameters: UnsafeMutablePointer<T>, gradients: UnsafePointer<T>,
                                                m: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>, count: Int,
                                                step: Int, learningRate: T, beta1: T, beta2: T, epsilon: T) {
        var b1t: T = 1, b2t: T = 1
        for _ in 0..<step { b1t *= beta1; b2t *= beta2 }
        let lrT = learningRate * (1 - b2t).squareRoot() / (1 - b1t)
        for i in 0..<count {
            m[i] = beta1 * m[i] + (1 - beta1) * gradients[i]
            v[i] = beta2 * v[i] + (1 - beta2) * gradients[i] * gradients[i]
            parameters[i] -= lrT * m[i] / (v[i].squareRoot() + epsilon)
        }
    }

    /// One Keras SGD step with momentum: v = momentum v - lr g; p += v.
    public static func sgd<T: ReferenceScalar>(parameters: UnsafeMutablePointer<T>, gradients: UnsafePointer<T>,
                                               velocity: UnsafeMutablePointer<T>, count: Int, learningRate: T, momentum: T) {
        for i in 0..<count {
            velocity[i] = momentum * velocity[i] - learningRate * gradients[i]
            parameters[i] += velocity[i]
        }
    }
}
