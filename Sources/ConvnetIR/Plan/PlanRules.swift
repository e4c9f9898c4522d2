/// What makes a kernel plan wrong, checked by the verifier after every pass: a backend given
/// a program that passes these runs it without second-guessing (and without crashing on an
/// algorithm that cannot compute the window).
public enum PlanRules {
    /// Whether `algorithm` can compute a convolution with window `c` (forward or either
    /// gradient): Winograd's F(2x2, 3x3) only has 3x3 stride-1 tiles; the direct kernels slide
    /// a window at stride 1 (a 1x1 window is a plain GEMM); im2col + GEMM takes anything.
    public static func admits(_ algorithm: ConvAlgorithm, _ c: ConvAttributes) -> Bool {
        let pointwise = c.kernelHeight == 1 && c.kernelWidth == 1 && c.stride == 1
        switch algorithm {
        case .winograd: return c.kernelHeight == 3 && c.kernelWidth == 3 && c.stride == 1
        case .direct, .mxuDirect: return c.stride == 1 && !pointwise
        case .gemm: return pointwise
        case .im2colGemm, .mxuIm2col: return true
        case .depthwise, .vpuDepthwise: return false  // an ordinary convolution is not depthwise
        }
    }

    /// The plan's faults on `inst`, as messages (empty when it is sound).
    static func violations(_ inst: Instruction, operandTypes: [TensorType]?) -> [String] {
        var faults: [String] = []
        let kind: FusionKind? = if case .fusion(let k, _) = inst.op { k } else { nil }
        if let plan = inst.kernel {
            if let algorithm = plan.convolution {
                if inst.op.isDepthwiseConvolution {
                    if !algorithm.isDepthwise {
                        faults.append("kernel=\(algorithm.rawValue) cannot compute a depthwise convolution")
                    }
                } else if let c = kind?.convolution {
                    if !admits(algorithm, c) {
                        faults.append("kernel=\(algorithm.rawValue) cannot compute a \(c.kernelHeight)x\(c.kernelWidth) window at stride \(c.stride)")
                    }
                } else {
                    faults.append("kernel=\(algorithm.rawValue) on an instruction that is not a convolution fusion")
                }
            }
            if plan.reluBackwardInKernel {
                let fits: Bool = if case .convInputGrad(_, .relu, true) = kind { true } else { false }
                if !fits {
                    faults.append("relu_backward=in_kernel needs a conv_input_grad_relu_grad_bias_grad fusion")
                } else if plan.convolution != .direct && plan.convolution != .winograd {
                    faults.append("relu_backward=in_kernel needs kernel=direct or kernel=winograd")
                }
            }
        }
        guard let kind, case .fusion(_, let body) = inst.op, body.outputs.count == kind.resultCount,
              kind.resultCount == 2 else { return faults }
        // The second result must be what the kind says, computed from the first.
        let first = body.outputs[0].value, second = body.outputs[1].value
        let producer = body.instruction(defining: second)
        switch kind {
        case .conv(_, _, _, let pool?):
            guard let producer, case .maxPool(let p) = producer.op, p == pool, producer.operands == [first] else {
                faults.append("fusion.\(kind.name): the pool in the convolution must be the max_pool of the convolution's own result")
                return faults
            }
        case .convInputGrad(_, _, true), .gradient(_, _, true):
            guard let producer, case .biasGrad = producer.op, producer.operands == [first] else {
                faults.append("fusion.\(kind.name): the bias gradient in the epilogue must be the bias_grad of the fusion's first result")
                return faults
            }
        case .conv, .convInputGrad, .convFilterGrad, .matmulBias, .gradient, .loop:
            break
        }
        return faults
    }

    /// The convolution fusions and depthwise convolutions of `graph` (top level) without a
    /// kernel decision: after kernel selection there must be none, and no bare convolution op.
    public static func unplanned(_ graph: Graph) -> [String] {
        var faults: [String] = []
        for inst in graph.instructions {
            let at = "(\(inst.result)\(inst.layer.map { ", layer \($0)" } ?? ""))"
            if inst.op.isConvolution || (inst.op.isDepthwiseConvolution && inst.kernel?.convolution == nil) {
                faults.append("\(inst.op.mnemonic) \(at) was not given a kernel")
            } else if case .fusion(let kind, _) = inst.op, kind.convolution != nil, inst.kernel?.convolution == nil {
                faults.append("fusion.\(kind.name) \(at) has no kernel=")
            }
        }
        return faults
    }
}
