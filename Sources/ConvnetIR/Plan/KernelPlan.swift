/// Which algorithm computes a convolution (forward, input gradient or filter gradient). The
/// optimizer's kernel selection decides it per target, the verifier checks it fits the
/// window, and backends run exactly it.
public enum ConvAlgorithm: String, Hashable, Sendable, CaseIterable {
    /// Register-blocked direct kernels on the NHWC activations (stride 1, a window > 1x1).
    case direct
    /// Winograd's minimal filtering, F(2x2, 3x3) forward and input gradient, F(3x3, 2x2) filter
    /// gradient (3x3 windows, stride 1).
    case winograd
    /// Cache-sized bands of im2col rows, each one GEMM (col2im for the input gradient).
    case im2colGemm = "im2col_gemm"
    /// A 1x1 stride-1 convolution: one GEMM on the activations (im2col is the identity).
    case gemm
    /// The TPU's MXU on im2col + matmul (bfloat16 operands, float32 sums), computed by the
    /// bfloat16 direct kernels, bit for bit; a call whose products might round falls back to
    /// `mxuIm2col` (stride 1, a window > 1x1).
    case mxuDirect = "mxu_direct"
    /// The TPU's MXU on bands of im2col rows (any window; 1x1 needs no im2col).
    case mxuIm2col = "mxu_im2col"
    /// A depthwise convolution on the float32 loops vectorised over channels (`DepthwiseConv`):
    /// each output channel reads one input channel, too thin for a GEMM.
    case depthwise
    /// A depthwise convolution on the TPU's vector unit (float32 lanes, one multiply-add per
    /// element and tap): the MXU has nothing to contract over.
    case vpuDepthwise = "vpu_depthwise"

    /// Whether this algorithm computes depthwise convolutions (and only those).
    public var isDepthwise: Bool {
        switch self {
        case .depthwise, .vpuDepthwise: true
        case .direct, .winograd, .im2colGemm, .gemm, .mxuDirect, .mxuIm2col: false
        }
    }
}

/// The kernel decisions the optimizer's kernel selection writes on an instruction
/// (`Instruction.kernel`), printed as `kernel=winograd relu_backward=in_kernel`.
/// Pool-in-convolution and bias-gradient epilogues are not flags: they are multi-result
/// fusion kinds (`FusionKind`), because one kernel then defines two values.
public struct KernelPlan: Hashable, Sendable {
    /// The algorithm of a convolution fusion (`conv`, `conv_input_grad`, `conv_filter_grad`).
    public var convolution: ConvAlgorithm?
    /// A `conv_input_grad_relu_grad_bias_grad` whose relu backward and bias sums run inside the
    /// convolution's kernels (the float32 direct and Winograd kernels), not as a pass after.
    public var reluBackwardInKernel: Bool

    public init(convolution: ConvAlgorithm? = nil, reluBackwardInKernel: Bool = false) {
        self.convolution = convolution
        self.reluBackwardInKernel = reluBackwardInKernel
    }

    /// `kernel=direct relu_backward=in_kernel`
    public var printed: String {
        [convolution.map { "kernel=" + $0.rawValue }, reluBackwardInKernel ? "relu_backward=in_kernel" : nil]
            .compactMap { $0 }.joined(separator: " ")
    }
}

/// A further result of a multi-result fusion.
public struct ExtraResult: Hashable, Sendable {
    public var value: ValueID
    public var type: TensorType

    public init(value: ValueID, type: TensorType) {
        self.value = value
        self.type = type
    }
}
