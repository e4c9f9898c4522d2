import ConvnetSyntax
import ConvnetInterface
import ConvnetKernels

/// The window of a 2-D convolution (and of im2col/col2im, which share it).
/// Kernels are Keras' HWIO `(KH, KW, Cin, F)`; activations are NHWC.
public struct ConvAttributes: Hashable, Sendable {
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var stride: Int
    public var padding: Padding

    public init(kernelHeight: Int, kernelWidth: Int, stride: Int = 1, padding: Padding = .same) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.padding = padding
    }

    /// Output extent along one axis, Keras' rule: same -> ceil(n/s), valid -> floor((n-k)/s)+1.
    public func outputExtent(_ n: Int, kernel k: Int) -> Int {
        WindowExtent.output(n, window: k, stride: stride, same: padding == .same)
    }

    /// Zeros added before the first row/column, TensorFlow's rule for `same`: the total padding
    /// is split with the extra one after, so the interpreter and every backend agree.
    public func padBefore(_ n: Int, kernel k: Int) -> Int {
        guard padding == .same else { return 0 }
        return WindowExtent.samePadding(n, window: k, stride: stride).before
    }

    /// `window=3x3 stride=1 pad=same`
    public var printed: String { "window=\(kernelHeight)x\(kernelWidth) stride=\(stride) pad=\(padding.rawValue)" }
}

/// A pooling window. `valid` (Keras' default) or `same` padding: same keeps ceil(n / stride)
/// and its windows clip at the image's edges, the padded positions taking no part (a max over
/// the real elements, an average dividing by their count), as Keras' pools do. The IR builder
/// writes `same` only where it pads (`ForwardLowering`), so `same` means windows do clip.
public struct PoolAttributes: Hashable, Sendable {
    public var size: Int
    public var stride: Int
    public var padding: Padding

    public init(size: Int, stride: Int, padding: Padding = .valid) {
        self.size = size
        self.stride = stride
        self.padding = padding
    }

    public func outputExtent(_ n: Int) -> Int { WindowExtent.output(n, window: size, stride: stride, same: padding == .same) }

    /// The kernels' geometry of this pool over `x` (B, H, W, C): the one translation, which the
    /// interpreter, the CPU executor and the emitter's literals share.
    public func geometry(_ x: [Int]) -> PoolGeometry {
        PoolGeometry(batch: x[0], inHeight: x[1], inWidth: x[2], channels: x[3], pool: size, stride: stride,
                     same: padding == .same)
    }

    /// `window=2x2 stride=2`, with ` pad=same` for a same pool.
    public var printed: String { "window=\(size)x\(size) stride=\(stride)" + (padding == .same ? " pad=same" : "") }
}

/// A dropout layer's rate and salt. The salt (the layer's index) makes two dropout layers
/// draw different masks from the same step seed.
public struct DropoutAttributes: Hashable, Sendable {
    public var rate: Double
    public var salt: Int

    public init(rate: Double, salt: Int) {
        self.rate = rate
        self.salt = salt
    }

    public var printed: String { "rate=\(rate) salt=\(salt)" }
}

/// The pointwise nonlinearities a layer can apply (softmax is its own op: it is not pointwise).
public enum ActivationFunction: String, Hashable, Sendable, CaseIterable {
    case relu, sigmoid, tanh
}

/// Elementwise functions of one operand.
public enum UnaryOp: String, Hashable, Sendable, CaseIterable {
    case neg, sqrt, exp, log
}

/// Elementwise functions of two operands of equal shape, or one of them a scalar (rank 0) that
/// is broadcast: enough to write optimizer updates as plain elementwise chains.
public enum BinaryOp: String, Hashable, Sendable, CaseIterable {
    case add, sub, mul, div, pow
}

/// What an `input` instruction stands for, so the trainer knows what to feed it.
public enum InputRole: String, Hashable, Sendable {
    /// A trainable weight (`conv2d/kernel`).
    case parameter
    /// A non-trainable weight updated by the step (`batch_normalization/moving_mean`).
    case state
    /// An optimizer slot (`conv2d/kernel/m`).
    case optimizerSlot = "slot"
    /// Per-step data: images, labels, step, learning rate, dropout seed.
    case data = "input"
    /// An operand of a fusion body, numbered by position.
    case argument
}
