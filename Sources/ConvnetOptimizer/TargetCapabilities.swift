import ConvnetIR

/// What a target's kernels can do, as a value: kernel selection reads it to write the plan
/// that target runs. The one description of each target's kernel repertoire.
public struct TargetCapabilities: Hashable, Sendable {
    /// How a target computes convolutions.
    public enum Convolutions: Hashable, Sendable {
        /// float32 kernels: direct, Winograd (3x3 windows wide enough to gain), im2col + GEMM.
        case float32
        /// The MXU: bfloat16 direct kernels equal to im2col + MXU matmul, or im2col + MXU matmul.
        case mxu
    }

    /// `cpu`, `tpu`, `native`: what `--target` names it.
    public var name: String
    public var convolutions: Convolutions
    /// A max pool of a convolution's result computed by the convolution, band by band.
    public var poolInConvolution: Bool
    /// The bias gradient after an activation gradient summed by the same kernel (a second result).
    public var biasGradientInEpilogue: Bool
    /// The relu backward and bias sums of the layer before inside the float32 direct and
    /// Winograd input-gradient kernels.
    public var reluBackwardInKernel: Bool
    /// Whether every convolution is also written as im2col + matmul inside its fusion, each
    /// matmul with an MXU tile plan (the cycle model reads them).
    public var matmulsOnMXU: Bool
    /// Concat without copies: buffer assignment writes each concat operand its producer can
    /// write strided into its channel slice of the concat's buffer, and lets concat's gradient
    /// slices be read in place (`ChannelViews`).
    public var concatInPlace: Bool

    public init(name: String, convolutions: Convolutions, poolInConvolution: Bool, biasGradientInEpilogue: Bool,
                reluBackwardInKernel: Bool, matmulsOnMXU: Bool, concatInPlace: Bool = false) {
        self.name = name
        self.convolutions = convolutions
        self.poolInConvolution = poolInConvolution
        self.biasGradientInEpilogue = biasGradientInEpilogue
        self.reluBackwardInKernel = reluBackwardInKernel
        self.matmulsOnMXU = matmulsOnMXU
        self.concatInPlace = concatInPlace
    }

    /// The fp32 CPU executor (ConvnetCPU on OpenBLAS and the direct kernels).
    public static let cpu = TargetCapabilities(name: "cpu", convolutions: .float32, poolInConvolution: true,
                                               biasGradientInEpilogue: true, reluBackwardInKernel: true,
                                               matmulsOnMXU: false, concatInPlace: true)
    /// The emulated TPU: the same executor with the bfloat16 MXU engine.
    public static let tpu = TargetCapabilities(name: "tpu", convolutions: .mxu, poolInConvolution: true,
                                               biasGradientInEpilogue: true, reluBackwardInKernel: false,
                                               matmulsOnMXU: true)
    /// Generated Swift, running the CPU target's kernels.
    public static let native = TargetCapabilities(name: "native", convolutions: .float32, poolInConvolution: true,
                                                  biasGradientInEpilogue: true, reluBackwardInKernel: true,
                                                  matmulsOnMXU: false, concatInPlace: true)

    /// Every target, for `--target` and tests.
    public static let all: [TargetCapabilities] = [.cpu, .tpu, .native]
}
