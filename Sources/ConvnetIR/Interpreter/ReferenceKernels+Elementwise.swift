import ConvnetKernels

/// Pointwise ops, bias, and the reductions/broadcasts they need: the IR's own pointwise ops
/// here, activations and bias through `EpilogueReference`.
extension ReferenceKernels {
    public static func unary<S: IRScalar>(_ op: UnaryOp, _ x: Tensor<S>) -> Tensor<S> {
        let f: (S) -> S = switch op {
        case .neg: { -$0 }
        case .sqrt: { $0.squareRoot() }
        case .exp: { S.exponential($0) }
        case .log: { S.logarithm($0) }
        }
        return Tensor(shape: x.shape, scalars: x.scalars.map(f))
    }

    /// a op b with equal shapes, or one side a scalar broadcast over the other.
    public static func binary<S: IRScalar>(_ op: BinaryOp, _ a: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
        let f: (S, S) -> S = switch op {
        case .add: { $0 + $1 }
        case .sub: { $0 - $1 }
        case .mul: { $0 * $1 }
        case .div: { $0 / $1 }
        case .pow: { S.pow($0, $1) }
        }
        let shape = a.count >= b.count && !(a.shape.isEmpty && !b.shape.isEmpty) ? a.shape : b.shape
        let n = shape.reduce(1, *)
        let sa = a.count == 1 && a.shape.isEmpty, sb = b.count == 1 && b.shape.isEmpty
        var out = [S](repeating: 0, count: n)
        for i in 0..<n { out[i] = f(sa ? a.scalars[0] : a.scalars[i], sb ? b.scalars[0] : b.scalars[i]) }
        return Tensor(shape: shape, scalars: out)
    }

    /// The kernels' name for an IR activation.
    static func epilogue(_ f: ActivationFunction) -> EpilogueActivation {
        switch f {
        case .relu: .relu
        case .sigmoid: .sigmoid
        case .tanh: .tanh
        }
    }

    public static func activation<S: IRScalar>(_ f: ActivationFunction, _ x: Tensor<S>) -> Tensor<S> {
        let e = epilogue(f)
        return Tensor(shape: x.shape, scalars: x.scalars.map { EpilogueReference.activate($0, e) })
    }

    /// dx from dy and the activation's output y.
    public static func activationGrad<S: IRScalar>(_ f: ActivationFunction, _ dy: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> {
        var dx = dy.scalars
        dx.withUnsafeMutableBufferPointer { dp in
            read(y) { yp in
                if let d = dp.baseAddress {
                    EpilogueReference.activationBackward(d, output: yp, count: dy.count, activation: epilogue(f))
                }
            }
        }
        return Tensor(shape: dy.shape, scalars: dx)
    }

    /// x (..., C) + b (C)
    public static func biasAdd<S: IRScalar>(_ x: Tensor<S>, _ b: Tensor<S>) -> Tensor<S> {
        let c = b.count
        var y = x.scalars
        y.withUnsafeMutableBufferPointer { yp in
            read(b) { bp in
                if let base = yp.baseAddress {
                    EpilogueReference.biasActivation(base, rows: x.count / c, columns: c, bias: bp, activation: .linear)
                }
            }
        }
        return Tensor(shape: x.shape, scalars: y)
    }

    /// (C) sum of dy (..., C) over every axis but the last
    public static func biasGrad<S: IRScalar>(_ dy: Tensor<S>) -> Tensor<S> {
        let c = dy.shape.last!
        return make([c]) { db in read(dy) { EpilogueReference.biasGradient($0, rows: dy.count / c, columns: c, into: db) } }
    }

    public static func reduceSum<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        Tensor(scalar: x.scalars.reduce(0, +))
    }
}
