/// The vector-Jacobian product of every differentiable op, one case per op: given the adjoint
/// `dy` of an instruction's result, the adjoints of its operands (nil where not wanted or where
/// the operand is not differentiable, such as labels and seeds).
enum VJP {
    static func rule(for inst: Instruction, dy: ValueID, wanted: [Bool],
                     in g: inout Graph) throws -> [ValueID?] {
        let x = inst.operands
        let y = inst.result
        let layer = inst.layer
        /// Emits `make()` only when operand `i`'s gradient is wanted.
        func want(_ i: Int, _ make: () -> ValueID) -> ValueID? { wanted[i] ? make() : nil }
        func emit(_ op: Op, _ operands: [ValueID], declared: TensorType? = nil) -> ValueID {
            g.emit(op, operands, declared: declared, layer: layer)
        }
        /// Sums a full-shape gradient down to a scalar operand that was broadcast.
        func unbroadcast(_ grad: ValueID, to operand: ValueID) -> ValueID {
            g.typeOf(operand).isScalar && !inst.type.isScalar ? emit(.reduceSum, [grad]) : grad
        }

        switch inst.op {
        case .unary(.neg):
            return [emit(.unary(.neg), [dy])]
        case .unary(.sqrt):  // dx = dy / (2 y)
            return [g.div(dy, g.scale(y, by: 2, layer: layer), layer: layer)]
        case .unary(.exp):  // dx = dy * y
            return [g.mul(dy, y, layer: layer)]
        case .unary(.log):  // dx = dy / x
            return [g.div(dy, x[0], layer: layer)]

        case .binary(.add):
            return [want(0) { unbroadcast(dy, to: x[0]) }, want(1) { unbroadcast(dy, to: x[1]) }]
        case .binary(.sub):
            return [want(0) { unbroadcast(dy, to: x[0]) },
                    want(1) { unbroadcast(emit(.unary(.neg), [dy]), to: x[1]) }]
        case .binary(.mul):
            return [want(0) { unbroadcast(g.mul(dy, x[1], layer: layer), to: x[0]) },
                    want(1) { unbroadcast(g.mul(dy, x[0], layer: layer), to: x[1]) }]
        case .binary(.div):  // d/da = dy / b; d/db = -dy * y / b
            return [want(0) { unbroadcast(g.div(dy, x[1], layer: layer), to: x[0]) },
                    want(1) {
                        let t = g.div(g.mul(dy, y, layer: layer), x[1], layer: layer)
                        return unbroadcast(emit(.unary(.neg), [t]), to: x[1])
                    }]
        case .binary(.pow):  // d/da = dy * b * y / a; d/db = dy * y * log(a)
            return [want(0) {
                        let t = g.div(g.mul(g.mul(dy, x[1], layer: layer), y, layer: layer), x[0], layer: layer)
                        return unbroadcast(t, to: x[0])
                    },
                    want(1) {
                        let t = g.mul(g.mul(dy, y, layer: layer), g.unary(.log, x[0], layer: layer), layer: layer)
                        return unbroadcast(t, to: x[1])
                    }]

        case .activation(let f):
            return [emit(.activationGrad(f), [dy, y])]
        case .softmax:
            return [emit(.softmaxGrad, [dy, y])]
        case .broadcast:
            return [emit(.reduceSum, [dy])]
        case .reduceSum:
            return [emit(.broadcast, [dy], declared: g.typeOf(x[0]))]
        case .reshape:
            return [emit(.reshape, [dy], declared: g.typeOf(x[0]))]

        case .conv2d(let c):
            return [want(0) { emit(.conv2dInputGrad(c), [dy, x[1]], declared: g.typeOf(x[0])) },
                    want(1) { emit(.conv2dFilterGrad(c), [x[0], dy]) }]
        case .depthwiseConv2d(let c):
            return [want(0) { emit(.depthwiseConv2dInputGrad(c), [dy, x[1]], declared: g.typeOf(x[0])) },
                    want(1) { emit(.depthwiseConv2dFilterGrad(c), [x[0], dy]) }]
        case .depthwiseConv2dInputGrad(let c):  // linear in (dy, w)
            return [want(0) { emit(.depthwiseConv2d(c), [dy, x[1]]) },
                    want(1) { emit(.depthwiseConv2dFilterGrad(c), [dy, x[0]]) }]
        case .depthwiseConv2dFilterGrad(let c):  // linear in (x, dy)
            return [want(0) { emit(.depthwiseConv2dInputGrad(c), [x[1], dy], declared: g.typeOf(x[0])) },
                    want(1) { emit(.depthwiseConv2d(c), [x[0], dy]) }]
        case .concat:  // each operand's adjoint is its slice of dy's channels
            var start = 0
            return x.indices.map { i in
                let count = g.typeOf(x[i]).shape.last ?? 0
                defer { start += count }
                let s = start
                return want(i) { emit(.channelSlice(start: s, count: count), [dy]) }
            }
        case .channelSlice(let start, let count):  // zero everywhere but the slice
            let xt = g.typeOf(x[0])
            let c = xt.shape.last ?? 0
            var parts: [ValueID] = []
            func zeros(_ n: Int) -> ValueID {
                g.emit(.broadcast, [g.constant(0, layer: layer)], declared: .f32(xt.shape.dropLast() + [n]), layer: layer)
            }
            if start > 0 { parts.append(zeros(start)) }
            parts.append(dy)
            if start + count < c { parts.append(zeros(c - start - count)) }
            return [parts.count == 1 ? dy : emit(.concat, parts)]
        case .conv2dInputGrad(let c):  // linear in (dy, w): dx = convT(dy, w)
            return [want(0) { emit(.conv2d(c), [dy, x[1]]) },
                    want(1) { emit(.conv2dFilterGrad(c), [dy, x[0]]) }]
        case .conv2dFilterGrad(let c):  // linear in (x, dy): dw = corr(x, dy)
            return [want(0) { emit(.conv2dInputGrad(c), [x[1], dy], declared: g.typeOf(x[0])) },
                    want(1) { emit(.conv2d(c), [x[0], dy]) }]
        case .matmul(let ta, let tb):
            // C = op(A) op(B): dA = dC op(B)^T (transposed back if ta); dB likewise.
            return [want(0) { ta ? emit(.matmul(transposeA: tb, transposeB: true), [x[1], dy])
                                 : emit(.matmul(transposeA: false, transposeB: !tb), [dy, x[1]]) },
                    want(1) { tb ? emit(.matmul(transposeA: true, transposeB: ta), [dy, x[0]])
                                 : emit(.matmul(transposeA: !ta, transposeB: false), [x[0], dy]) }]
        case .biasAdd:
            return [want(0) { dy }, want(1) { emit(.biasGrad, [dy]) }]
        case .im2col(let c):
            return [emit(.col2im(c), [dy], declared: g.typeOf(x[0]))]
        case .col2im(let c):
            return [emit(.im2col(c), [dy])]

        case .maxPool(let p):
            return [emit(.maxPoolGrad(p), [x[0], dy])]
        case .avgPool(let p):
            return [emit(.avgPoolGrad(p), [dy], declared: g.typeOf(x[0]))]
        case .spatialMean:
            return [emit(.spatialMeanGrad, [dy], declared: g.typeOf(x[0]))]
        case .dropout(let d):
            return [emit(.dropoutGrad(d), [dy, x[1]]), nil]

        case .batchNormTraining(let e):
            return [want(0) { emit(.batchNormGradInput(epsilon: e), [dy, x[0], x[1]]) },
                    want(1) { emit(.batchNormGradGamma(epsilon: e), [dy, x[0]]) },
                    want(2) { emit(.biasGrad, [dy]) }]
        case .batchNormInference(let e):
            // dx = gamma * dy / sqrt(var + eps): the same op on dy with zero mean and beta.
            return [want(0) {
                        let zero = g.emit(.broadcast, [g.constant(0, layer: layer)], declared: g.typeOf(x[2]), layer: layer)
                        return emit(.batchNormInference(epsilon: e), [dy, x[1], zero, zero, x[4]])
                    }, nil, nil, nil, nil]
        case .batchMean:  // dx = dmean / N at every element of its channel
            let xt = g.typeOf(x[0])
            let n = Double(xt.elementCount / (xt.shape.last ?? 1))
            let zero = g.emit(.broadcast, [g.constant(0, layer: layer)], declared: xt, layer: layer)
            return [emit(.biasAdd, [zero, g.scale(dy, by: 1 / n, layer: layer)])]

        case .softmaxCrossEntropy(let smoothing):
            return [emit(.softmaxCrossEntropyGrad(labelSmoothing: smoothing), [x[0], x[1], dy]), nil]

        case .input, .constant, .convert, .correctCount, .batchVariance, .activationGrad, .softmaxGrad,
             .biasGrad, .maxPoolGrad, .avgPoolGrad, .spatialMeanGrad, .dropoutGrad, .batchNormGradInput,
             .batchNormGradGamma, .softmaxCrossEntropyGrad, .fusion, .custom:
            throw AutodiffError("\(inst.op.mnemonic) is not differentiable")
        }
    }
}
