/// Why an op cannot accept its operands.
public struct ShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The typing rule of every op, in one place: the builder uses it to compute result types and
/// the verifier to check them. For ops that take a declared type (`reshape`, gradients whose
/// input shape is not recoverable from the operands) the rule checks the declared type instead.
public enum ShapeRules {
    /// The result type of `op` applied to operands of these types. `declared` is the
    /// instruction's recorded type; it is required for ops with `takesDeclaredType`.
    public static func resultType(of op: Op, operands t: [TensorType],
                                  declared: TensorType? = nil) throws(ShapeError) -> TensorType {
        func arity(_ n: Int) throws(ShapeError) {
            if t.count != n { throw ShapeError("\(op.mnemonic) takes \(n) operand(s), got \(t.count)") }
        }
        func float(_ i: Int) throws(ShapeError) {
            if t[i].element != .f32 { throw ShapeError("\(op.mnemonic) operand \(i) must be f32, got \(t[i])") }
        }
        func rank(_ i: Int, _ r: Int) throws(ShapeError) {
            if t[i].rank != r { throw ShapeError("\(op.mnemonic) operand \(i) must have rank \(r), got \(t[i])") }
        }
        func same(_ i: Int, _ j: Int) throws(ShapeError) {
            if t[i] != t[j] { throw ShapeError("\(op.mnemonic) operands \(i) and \(j) differ: \(t[i]) vs \(t[j])") }
        }
        func need() throws(ShapeError) -> TensorType {
            guard let declared else { throw ShapeError("\(op.mnemonic) needs a declared result type") }
            return declared
        }
        func channelVector(_ i: Int, of x: TensorType) throws(ShapeError) {
            if t[i] != .f32([x.shape.last ?? 0]) {
                throw ShapeError("\(op.mnemonic) operand \(i) must be f32[\(x.shape.last ?? 0)], got \(t[i])")
            }
        }
        func labels(_ logits: Int, _ labels: Int) throws(ShapeError) {
            try rank(logits, 2); try float(logits)
            if t[labels] != .i32([t[logits].shape[0]]) {
                throw ShapeError("\(op.mnemonic) labels must be i32[\(t[logits].shape[0])], got \(t[labels])")
            }
        }
        func convOutput(_ x: TensorType, _ w: TensorType, _ c: ConvAttributes) throws(ShapeError) -> [Int] {
            guard x.rank == 4, w.rank == 4 else { throw ShapeError("\(op.mnemonic) needs rank-4 input and kernel") }
            guard w.shape[0] == c.kernelHeight, w.shape[1] == c.kernelWidth else {
                throw ShapeError("\(op.mnemonic) kernel \(w) does not match window \(c.kernelHeight)x\(c.kernelWidth)")
            }
            guard w.shape[2] == x.shape[3] else {
                throw ShapeError("\(op.mnemonic) kernel expects \(w.shape[2]) input channels, input has \(x.shape[3])")
            }
            guard c.stride >= 1 else { throw ShapeError("\(op.mnemonic) stride must be >= 1") }
            return [x.shape[0], c.outputExtent(x.shape[1], kernel: c.kernelHeight),
                    c.outputExtent(x.shape[2], kernel: c.kernelWidth), w.shape[3]]
        }
        func poolOutput(_ x: TensorType, _ p: PoolAttributes) throws(ShapeError) -> TensorType {
            guard x.rank == 4, x.element == .f32 else { throw ShapeError("\(op.mnemonic) needs an f32 rank-4 input, got \(x)") }
            guard p.size >= 1, p.stride >= 1 else { throw ShapeError("\(op.mnemonic) window and stride must be >= 1") }
            return .f32([x.shape[0], p.outputExtent(x.shape[1]), p.outputExtent(x.shape[2]), x.shape[3]])
        }

        switch op {
        case .input, .constant:
            try arity(0)
            return try need()
        case .custom:
            return try need()
        case .unary, .activation:
            try arity(1); try float(0)
            return t[0]
        case .binary:
            try arity(2); try float(0); try float(1)
            if t[0] == t[1] || t[1].isScalar { return t[0] }
            if t[0].isScalar { return t[1] }
            throw ShapeError("\(op.mnemonic) operands differ: \(t[0]) vs \(t[1])")
        case .activationGrad, .softmaxGrad:
            try arity(2); try float(0); try same(0, 1)
            return t[0]
        case .broadcast:
            try arity(1)
            let d = try need()
            guard t[0].isScalar, d.element == t[0].element else { throw ShapeError("broadcast takes a scalar of the result's element type, got \(t[0])") }
            return d
        case .reduceSum:
            try arity(1); try float(0)
            return .scalar
        case .reshape:
            try arity(1)
            let d = try need()
            guard d.element == t[0].element, d.elementCount == t[0].elementCount else {
                throw ShapeError("reshape cannot turn \(t[0]) into \(d)")
            }
            return d
        case .convert:
            try arity(1)
            let d = try need()
            guard d.shape == t[0].shape else { throw ShapeError("convert cannot change the shape \(t[0]) to \(d)") }
            return d
        case .conv2d(let c):
            try arity(2); try float(0); try float(1)
            return .f32(try convOutput(t[0], t[1], c))
        case .matmul(let ta, let tb):
            try arity(2); try float(0); try float(1); try rank(0, 2); try rank(1, 2)
            let (m, k1) = ta ? (t[0].shape[1], t[0].shape[0]) : (t[0].shape[0], t[0].shape[1])
            let (k2, n) = tb ? (t[1].shape[1], t[1].shape[0]) : (t[1].shape[0], t[1].shape[1])
            guard k1 == k2 else { throw ShapeError("matmul contracts \(k1) with \(k2)") }
            return .f32([m, n])
        case .biasAdd:
            try arity(2); try float(0); try channelVector(1, of: t[0])
            return t[0]
        case .softmax:
            try arity(1); try float(0)
            guard t[0].rank >= 1 else { throw ShapeError("softmax needs rank >= 1") }
            return t[0]
        case .maxPool(let p), .avgPool(let p):
            try arity(1)
            return try poolOutput(t[0], p)
        case .spatialMean:
            try arity(1); try float(0); try rank(0, 4)
            return .f32([t[0].shape[0], t[0].shape[3]])
        case .dropout, .dropoutGrad:
            try arity(2); try float(0)
            guard t[1] == .i32([]) else { throw ShapeError("\(op.mnemonic) seed must be i32[], got \(t[1])") }
            return t[0]
        case .batchNormTraining:
            try arity(3); try float(0)
            try channelVector(1, of: t[0]); try channelVector(2, of: t[0])
            return t[0]
        case .batchNormInference:
            try arity(5); try float(0)
            for i in 1...4 { try channelVector(i, of: t[0]) }
            return t[0]
        case .batchMean, .batchVariance, .biasGrad:
            try arity(1); try float(0)
            guard t[0].rank >= 1 else { throw ShapeError("\(op.mnemonic) needs rank >= 1") }
            return .f32([t[0].shape.last!])
        case .softmaxCrossEntropy, .correctCount:
            try arity(2); try labels(0, 1)
            return .scalar
        case .conv2dInputGrad(let c):
            try arity(2); try float(0); try float(1)
            let d = try need()
            let y = try convOutput(d, t[1], c)
            guard t[0] == .f32(y) else { throw ShapeError("conv2d_input_grad: dy \(t[0]) does not match the conv of \(d), which gives f32\(y)") }
            return d
        case .conv2dFilterGrad(let c):
            try arity(2); try float(0); try float(1); try rank(0, 4); try rank(1, 4)
            let w = TensorType.f32([c.kernelHeight, c.kernelWidth, t[0].shape[3], t[1].shape[3]])
            let y = try convOutput(t[0], w, c)
            guard t[1] == .f32(y) else { throw ShapeError("conv2d_filter_grad: dy \(t[1]) does not match the conv output f32\(y)") }
            return w
        case .maxPoolGrad(let p):
            try arity(2)
            let y = try poolOutput(t[0], p)
            guard t[1] == y else { throw ShapeError("max_pool_grad: dy \(t[1]) does not match pool output \(y)") }
            return t[0]
        case .avgPoolGrad(let p):
            try arity(1)
            let d = try need()
            let y = try poolOutput(d, p)
            guard t[0] == y else { throw ShapeError("avg_pool_grad: dy \(t[0]) does not match pool output \(y) of \(d)") }
            return d
        case .spatialMeanGrad:
            try arity(1); try float(0); try rank(0, 2)
            let d = try need()
            guard d.element == .f32, d.rank == 4, d.shape[0] == t[0].shape[0], d.shape[3] == t[0].shape[1] else {
                throw ShapeError("mean_hw_grad: \(d) is not a (B,H,W,C) for dy \(t[0])")
            }
            return d
        case .batchNormGradInput:
            try arity(3); try float(0); try same(0, 1); try channelVector(2, of: t[0])
            return t[0]
        case .batchNormGradGamma:
            try arity(2); try float(0); try same(0, 1)
            return .f32([t[0].shape.last ?? 0])
        case .softmaxCrossEntropyGrad:
            try arity(3); try labels(0, 1)
            guard t[2] == .scalar else { throw ShapeError("softmax_xent_grad: dloss must be f32[], got \(t[2])") }
            return t[0]
        case .im2col(let c):
            try arity(1); try float(0); try rank(0, 4)
            let x = t[0].shape
            let oh = c.outputExtent(x[1], kernel: c.kernelHeight), ow = c.outputExtent(x[2], kernel: c.kernelWidth)
            return .f32([x[0] * oh * ow, c.kernelHeight * c.kernelWidth * x[3]])
        case .col2im(let c):
            try arity(1); try float(0); try rank(0, 2)
            let d = try need()
            guard d.rank == 4, d.element == .f32 else { throw ShapeError("col2im result must be f32 rank 4, got \(d)") }
            let x = d.shape
            let oh = c.outputExtent(x[1], kernel: c.kernelHeight), ow = c.outputExtent(x[2], kernel: c.kernelWidth)
            let cols = TensorType.f32([x[0] * oh * ow, c.kernelHeight * c.kernelWidth * x[3]])
            guard t[0] == cols else { throw ShapeError("col2im: columns \(t[0]) do not match \(cols) for \(d)") }
            return d
        case .fusion(let kind, let body):
            let args = body.inputs.filter { if case .input(.argument) = $0.op { true } else { false } }
            guard args.count == t.count else {
                throw ShapeError("fusion.\(kind.name) body takes \(args.count) argument(s), got \(t.count)")
            }
            for (i, (a, ti)) in zip(args, t).enumerated() where a.type != ti {
                throw ShapeError("fusion.\(kind.name) argument \(i) is \(a.type) in the body, \(ti) outside")
            }
            guard body.outputs.count == kind.resultCount, let out = body.type(of: body.outputs[0].value) else {
                throw ShapeError("fusion.\(kind.name) body must have exactly \(kind.resultCount) defined output(s), has \(body.outputs.count)")
            }
            return out
        }
    }
}
