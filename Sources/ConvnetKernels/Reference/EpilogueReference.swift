/// Twins of `Epilogue`: bias + activation, activation backward, bias gradient.
public enum EpilogueReference {
    /// The activation of one value.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func activate<T: ReferenceScalar>(_ x: T, _ activation: EpilogueActivation) -> T {
        switch activation {
        case .linear: return x
        case .relu: return x > 0 ? x : 0
        case .sigmoid: return 1 / (1 + T.exponential(-x))
        case .tanh: return T.hyperbolicTangent(x)
        }
    }

    /// values (M, N) = activation(values + bias), in place.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func biasActivation<T: ReferenceScalar>(_ values: UnsafeMutablePointer<T>, rows: Int, columns: Int,
                                                          bias: UnsafePointer<T>?, activation: EpilogueActivation) {
        for i in 0..<rows {
            for j in 0..<columns {
                values[i * columns + j] = activate(values[i * columns + j] + (bias?[j] ?? 0), activation)
            }
        }
    }

    /// gradient *= derivative, written from the activation's output y.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func activationBackward<T: ReferenceScalar>(_ gradient: UnsafeMutablePointer<T>, output: UnsafePointer<T>,
                                                              count: Int, activation: EpilogueActivation) {
        for i in 0..<count {
            let y = output[i]
            switch activation {
            case .linear: break
            case .relu: gradient[i] = y > 0 ? gradient[i] : 0
            case .sigmoid: gradient[i] = gradient[i] * y * (1 - y)
            case .tanh: gradient[i] = gradient[i] * (1 - y * y)
            }
        }
    }

    /// biasGradient (N) = column sums of gradient (M, N), row after row.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func biasGradient<T: ReferenceScalar>(_ gradient: UnsafePointer<T>, rows: Int, columns: Int,
                                                        into biasGradient: UnsafeMutablePointer<T>) {
        for j in 0..<columns {
            var sum: T = 0
            for i in 0..<rows { sum += gradient[i * columns + j] }
            biasGradient[j] = sum
        }
    }
}
