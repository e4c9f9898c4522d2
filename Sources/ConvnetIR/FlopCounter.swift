/// Floating-point operations per instruction, to compare forward and training-step cost:
/// 2 per multiply-accumulate for convolutions and matmuls (and their gradients), 1 per output
/// element for elementwise ops, one per window tap for pools, small per-element constants for
/// normalisation and softmax. Pure data movement (reshape, broadcast, im2col) counts 0.
public enum FlopCounter {
    /// The FLOPs of one instruction given its operands' types.
    public static func flops(of inst: Instruction, operands t: [TensorType]) -> Int {
        let out = inst.type.elementCount
        switch inst.op {
        case .input, .constant, .broadcast, .reshape, .convert, .im2col:
            return 0
        case .unary, .binary, .activation, .activationGrad, .biasAdd, .dropout, .dropoutGrad:
            return out
        case .conv2d(let c):  // out = B*OH*OW*F, each KH*KW*Cin MACs
            return 2 * out * c.kernelHeight * c.kernelWidth * t[1].shape[2]
        case .conv2dInputGrad(let c):  // same MACs as the forward conv: dy elements * KH*KW*Cin
            return 2 * t[0].elementCount * c.kernelHeight * c.kernelWidth * t[1].shape[2]
        case .conv2dFilterGrad(let c):
            return 2 * t[1].elementCount * c.kernelHeight * c.kernelWidth * t[0].shape[3]
        case .matmul(let ta, _):
            return 2 * out * (ta ? t[0].shape[0] : t[0].shape[1])
        case .col2im, .reduceSum, .biasGrad, .spatialMean, .batchMean:
            return t[0].elementCount
        case .spatialMeanGrad:
            return out
        case .maxPool(let p), .avgPool(let p):
            return out * p.size * p.size
        case .maxPoolGrad(let p):
            return t[1].elementCount * p.size * p.size
        case .avgPoolGrad(let p):
            return t[0].elementCount * p.size * p.size
        case .batchVariance:
            return 3 * t[0].elementCount
        case .batchNormInference:
            return 2 * out
        case .batchNormTraining:
            return 6 * out
        case .batchNormGradInput:
            return 8 * out
        case .batchNormGradGamma:
            return 5 * t[0].elementCount
        case .softmax, .softmaxGrad:
            return 4 * out
        case .softmaxCrossEntropy, .correctCount:
            return 4 * t[0].elementCount
        case .softmaxCrossEntropyGrad:
            return 5 * out
        case .fusion(_, let body):
            return total(body)
        case .custom:
            return Int(inst.attributes["flops"] ?? "") ?? 0
        }
    }

    /// The FLOPs of a whole graph.
    public static func total(_ graph: Graph) -> Int {
        perInstruction(graph).reduce(0) { $0 + $1.flops }
    }

    /// FLOPs grouped by layer name (`""` for instructions without one, e.g. the optimizer's scalars).
    public static func byLayer(_ graph: Graph) -> [String: Int] {
        var sums: [String: Int] = [:]
        for (inst, f) in perInstruction(graph) { sums[inst.layer ?? "", default: 0] += f }
        return sums
    }

    /// Each instruction with its FLOPs, in order.
    public static func perInstruction(_ graph: Graph) -> [(instruction: Instruction, flops: Int)] {
        var types: [ValueID: TensorType] = [:]
        return graph.instructions.map { inst in
            let f = flops(of: inst, operands: inst.operands.map { types[$0] ?? .scalar })
            for d in inst.definitions { types[d.value] = d.type }
            return (inst, f)
        }
    }
}
