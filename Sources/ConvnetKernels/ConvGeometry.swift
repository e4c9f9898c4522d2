import ConvnetInterface

/// How a convolution treats the border, as in Keras: `same` pads so the output has
/// ceil(H / stride) rows; `valid` does not pad and gives floor((H - K) / stride) + 1.
public enum ConvPadding: String, CaseIterable, Hashable, Sendable {
    case same, valid
}

/// Every size a 2-D convolution needs, computed once: input (N, H, W, Cin) NHWC, weights
/// (KH, KW, Cin, F) HWIO, output (N, OH, OW, F). Padding follows TensorFlow's 'same' rule:
/// total = max((OH - 1) * stride + K - H, 0), top = total / 2, bottom = total - top (the extra
/// row, when odd, goes to the bottom/right).
public struct ConvGeometry: Hashable, Sendable {
    public let batch: Int
    public let inHeight: Int
    public let inWidth: Int
    public let inChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let filters: Int
    public let strideHeight: Int
    public let strideWidth: Int
    public let padding: ConvPadding
    public let outHeight: Int
    public let outWidth: Int
    public let padTop: Int
    public let padLeft: Int
    public let padBottom: Int
    public let padRight: Int

    /// Square stride.
    public init(batch: Int, inHeight: Int, inWidth: Int, inChannels: Int,
                kernelHeight: Int, kernelWidth: Int, filters: Int,
                stride: Int = 1, padding: ConvPadding) {
        self.init(batch: batch, inHeight: inHeight, inWidth: inWidth, inChannels: inChannels,
                  kernelHeight: kernelHeight, kernelWidth: kernelWidth, filters: filters,
                  strideHeight: stride, strideWidth: stride, padding: padding)
    }

    public init(batch: Int, inHeight: Int, inWidth: Int, inChannels: Int,
                kernelHeight: Int, kernelWidth: Int, filters: Int,
                strideHeight: Int, strideWidth: Int, padding: ConvPadding) {
        precondition(batch >= 1 && inHeight >= 1 && inWidth >= 1 && inChannels >= 1,
                     "input dimensions must be positive")
        precondition(kernelHeight >= 1 && kernelWidth >= 1 && filters >= 1, "kernel dimensions must be positive")
        precondition(strideHeight >= 1 && strideWidth >= 1, "stride must be positive")
        self.batch = batch
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.inChannels = inChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.filters = filters
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padding = padding
        let h = ConvGeometry.axis(inHeight, kernelHeight, strideHeight, padding)
        let w = ConvGeometry.axis(inWidth, kernelWidth, strideWidth, padding)
        outHeight = h.out
        padTop = h.before
        padBottom = h.after
        outWidth = w.out
        padLeft = w.before
        padRight = w.after
    }

    /// One spatial axis: output size and padding before/after, as TensorFlow computes them.
    public static func axis(_ size: Int, _ kernel: Int, _ stride: Int, _ padding: ConvPadding)
        -> (out: Int, before: Int, after: Int) {
        switch padding {
        case .valid:
            precondition(size >= kernel, "valid convolution needs input \(size) >= kernel \(kernel)")
            return (WindowExtent.output(size, window: kernel, stride: stride, same: false), 0, 0)
        case .same:
            let pad = WindowExtent.samePadding(size, window: kernel, stride: stride)
            return (WindowExtent.output(size, window: kernel, stride: stride, same: true), pad.before, pad.after)
        }
    }

    /// N * H * W * Cin.
    public var inputCount: Int { batch * inHeight * inWidth * inChannels }
    /// N * OH * OW * F.
    public var outputCount: Int { batch * outHeight * outWidth * filters }
    /// KH * KW * Cin * F.
    public var weightCount: Int { kernelHeight * kernelWidth * inChannels * filters }
    /// Rows of the im2col matrix for one image: OH * OW.
    public var pixelsPerImage: Int { outHeight * outWidth }
    /// Columns of the im2col matrix: KH * KW * Cin (the GEMM reduction).
    public var patchSize: Int { kernelHeight * kernelWidth * inChannels }
    /// Multiply-accumulates of the forward pass.
    public var macs: Int { batch * pixelsPerImage * patchSize * filters }

    /// True when the im2col matrix would equal the input itself (1x1 kernel, stride 1): the
    /// kernels then skip im2col/col2im and run the GEMM on the activations directly.
    public var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
    }
}
