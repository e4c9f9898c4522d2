import ConvnetIR

/// How much vector-unit work an op is: float32 element-operations, which the VPU retires
/// `TPUDevice.vpuLanes` at a time (`TPUDevice.vpuCycles`).
///
/// The per-element counts are our assumptions, not measured TPU figures: one operation for
/// add, subtract, multiply, compare/select, max and copy; 4 for a divide, square root,
/// exponential or logarithm (the VPU approximates them and refines with a few multiply-adds);
/// functions built from those add up (sigmoid = exp + add + divide ~ 6). Reductions cost one
/// operation per element read. Ops on the MXU (convolutions, matmuls) do no vector work of
/// their own; their bias and activation epilogues are separate ops (or a fusion's body).
public enum VectorCost {
    /// Operations per element for the elementwise ops that have a fixed count.
    static func perElement(_ op: Op) -> Int? {
        if case .broadcast = op { return 1 }
        guard case .elementwise(let e) = op.family else { return nil }
        return switch e {
        case .unary(let u):
            switch u {
            case .neg: 1
            case .sqrt, .exp, .log: 4
            }
        case .binary(let b):
            switch b {
            case .add, .sub, .mul: 1
            case .div: 4
            case .pow: 9  // exp(b * log(a))
            }
        case .activation(let a):
            switch a {
            case .relu: 1
            case .sigmoid, .tanh: 6
            }
        case .activationGrad(let a):
            switch a {
            case .relu: 2       // (y > 0) ? dy : 0
            case .sigmoid: 3    // dy * y * (1 - y)
            case .tanh: 3       // dy * (1 - y^2)
            }
        case .biasAdd, .convert: 1
        }
    }

    /// Element-operations of `op` with these operand and result types. `feedsMXU` marks data
    /// movement inside a fusion whose matmul consumes it (im2col, col2im, reshape): the MXU's
    /// operand feeders do that work, so it costs no vector cycles.
    public static func elementOps(_ op: Op, operands: [TensorType], result: TensorType,
                                  feedsMXU: Bool = false) -> Int {
        let out = result.elementCount
        let first = operands.first?.elementCount ?? 0
        if let k = perElement(op) { return out * k }
        switch op {
        case .input, .constant, .reshape, .custom, .fusion:
            return 0
        case .conv2d, .conv2dFilterGrad, .conv2dInputGrad, .matmul:
            return 0
        case .im2col, .col2im:
            // A gather of every patch element (im2col) or a scatter-add of every column element
            // back into the image (col2im); free when it feeds the MXU inside a fusion.
            return feedsMXU ? 0 : max(out, first)
        case .reduceSum, .biasGrad, .batchMean, .spatialMean:
            return first
        case .batchVariance:
            return 3 * first                 // subtract the mean, square, accumulate
        case .softmax, .softmaxGrad:
            return 10 * out                  // max, subtract, exp, sum, divide (grad: dot, sub, mul)
        case .softmaxCrossEntropy, .softmaxCrossEntropyGrad:
            return 10 * first                // softmax of the logits, then the log / one-hot term
        case .correctCount:
            return 2 * first                 // argmax per row, compare
        case .maxPool(let p), .avgPool(let p):
            return out * p.size * p.size     // one compare (or add) per window element
        case .maxPoolGrad(let p):
            // (x, dy) -> dx: find each window's maximum again, then write dx.
            let windows = operands.count > 1 ? operands[1].elementCount : 0
            return windows * p.size * p.size + out
        case .avgPoolGrad(let p):
            return out + first * p.size * p.size / max(1, p.stride * p.stride)
        case .spatialMeanGrad:
            return out
        case .depthwiseConv2d(let c):
            // Depthwise convolution runs on the VPU, not the MXU: a multiply and an add per tap.
            return 2 * out * c.kernelHeight * c.kernelWidth
        case .depthwiseConv2dInputGrad(let c):
            return 2 * first * c.kernelHeight * c.kernelWidth
        case .depthwiseConv2dFilterGrad(let c):
            return 2 * (operands.count > 1 ? operands[1].elementCount : 0) * c.kernelHeight * c.kernelWidth
        case .concat, .channelSlice:
            return out                       // a copy of every element
        case .dropout, .dropoutGrad:
            return 6 * out                   // hash (seed, salt, index), compare, select, scale
        case .batchNormTraining:
            return 7 * first                 // mean, variance, then (x - mean) * rsqrt * gamma + beta
        case .batchNormInference:
            return 4 * first
        case .batchNormGradInput:
            return 10 * first
        case .batchNormGradGamma:
            return 5 * first
        case .unary, .binary, .activation, .activationGrad, .biasAdd, .convert, .broadcast:
            return out  // unreachable: perElement covers them
        }
    }
}
