/// Every size a depthwise convolution (Keras `DepthwiseConv2D`) needs: input x (N, H, W, Cin)
/// NHWC, kernel (KH, KW, Cin, M) as Keras stores `depthwise_kernel`, bias (Cin*M), output
/// (N, OH, OW, Cin*M), where output channel c*M + m reads only input channel c.
///
/// The spatial sizes and the padding come from `ConvGeometry` (TensorFlow's 'same' split:
/// before = total / 2), built with `filters = Cin*M`, so the two kinds of convolution can never
/// disagree on an output size. Seen flat, the kernel (KH, KW, Cin, M) is (KH, KW, Cin*M): tap
/// (kh, kw) holds one weight per output channel, in output-channel order.
public struct DepthwiseGeometry: Hashable, Sendable {
    /// The spatial view: sizes, strides, padding; `filters` is the output channel count Cin*M.
    /// Its `weightCount` and `macs` are an ordinary convolution's, not this one's.
    public let spatial: ConvGeometry
    /// Output channels per input channel (Keras `depth_multiplier`).
    public let multiplier: Int

    /// Square stride.
    public init(batch: Int, inHeight: Int, inWidth: Int, inChannels: Int,
                kernelHeight: Int, kernelWidth: Int, multiplier: Int = 1,
                stride: Int = 1, padding: ConvPadding) {
        self.init(batch: batch, inHeight: inHeight, inWidth: inWidth, inChannels: inChannels,
                  kernelHeight: kernelHeight, kernelWidth: kernelWidth, multiplier: multiplier,
                  strideHeight: stride, strideWidth: stride, padding: padding)
    }

    public init(batch: Int, inHeight: Int, inWidth: Int, inChannels: Int,
                kernelHeight: Int, kernelWidth: Int, multiplier: Int = 1,
                strideHeight: Int, strideWidth: Int, padding: ConvPadding) {
        precondition(multiplier >= 1, "depth multiplier must be positive")
        self.multiplier = multiplier
        spatial = ConvGeometry(batch: batch, inHeight: inHeight, inWidth: inWidth, inChannels: inChannels,
                               kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                               filters: inChannels * multiplier,
                               strideHeight: strideHeight, strideWidth: strideWidth, padding: padding)
    }

    public var batch: Int { spatial.batch }
    public var inHeight: Int { spatial.inHeight }
    public var inWidth: Int { spatial.inWidth }
    public var inChannels: Int { spatial.inChannels }
    public var kernelHeight: Int { spatial.kernelHeight }
    public var kernelWidth: Int { spatial.kernelWidth }
    public var strideHeight: Int { spatial.strideHeight }
    public var strideWidth: Int { spatial.strideWidth }
    public var padding: ConvPadding { spatial.padding }
    public var outHeight: Int { spatial.outHeight }
    public var outWidth: Int { spatial.outWidth }
    public var padTop: Int { spatial.padTop }
    public var padLeft: Int { spatial.padLeft }
    /// Cin * M.
    public var outChannels: Int { spatial.filters }
    /// KH * KW.
    public var taps: Int { kernelHeight * kernelWidth }

    /// N * H * W * Cin.
    public var inputCount: Int { spatial.inputCount }
    /// N * OH * OW * Cin*M.
    public var outputCount: Int { spatial.outputCount }
    /// KH * KW * Cin * M (the bias has `outChannels`).
    public var weightCount: Int { taps * outChannels }
    /// Multiply-accumulates of the forward pass: one per tap per output element (padding
    /// taps included, as Keras and the cost models count them).
    public var macs: Int { outputCount * taps }
}
