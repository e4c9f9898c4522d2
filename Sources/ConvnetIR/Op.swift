/// Every operation the IR knows. One enum, so passes and backends `switch` exhaustively and the
/// compiler tells them when an op is added. Operand order is part of each op's contract and is
/// written beside the case; shapes are NHWC with the batch first.
///
/// Every op but a fusion has a single result. Ops that conceptually return several values
/// (batch norm in training, its gradient) are split into single-result ops that recompute what
/// they share; the optimizer may fuse them again, into a fusion with several results when one
/// kernel writes them all (`Instruction.extraResults`).
public indirect enum Op: Hashable, Sendable {
    // MARK: Declarations

    /// A graph input; its name and role are on the instruction. No operands.
    case input(InputRole)
    /// A constant splatted over the result shape (usually a scalar). No operands.
    case constant(Double)

    // MARK: Elementwise

    /// `(x)` -> same shape.
    case unary(UnaryOp)
    /// `(a, b)`, equal shapes or one scalar -> the larger shape.
    case binary(BinaryOp)
    /// `(x)` -> same shape.
    case activation(ActivationFunction)
    /// `(dy, y)` where `y` is the activation's output -> dx. Written in terms of the output so
    /// the input need not be kept alive.
    case activationGrad(ActivationFunction)

    // MARK: Shape and reductions

    /// `(scalar)` -> the declared shape.
    case broadcast
    /// `(x)` -> scalar sum of every element.
    case reduceSum
    /// `(x)` -> the declared shape with the same element count (row-major, NHWC order).
    case reshape
    /// `(x)` -> same shape, the declared element type.
    case convert

    // MARK: Layers (forward)

    /// `(x (B,H,W,Cin), w (KH,KW,Cin,F))` -> `(B,OH,OW,F)`.
    case conv2d(ConvAttributes)
    /// `(a, b)` -> `op(a) x op(b)`, both rank 2; `op` transposes when asked.
    case matmul(transposeA: Bool, transposeB: Bool)
    /// `(x (..., C), b (C))` -> x + b along the last axis.
    case biasAdd
    /// `(x (B, K))` -> softmax over the last axis.
    case softmax
    /// `(x (B,H,W,C))` -> `(B,OH,OW,C)`, valid padding.
    case maxPool(PoolAttributes)
    /// `(x (B,H,W,C))` -> `(B,OH,OW,C)`, valid padding.
    case avgPool(PoolAttributes)
    /// `(x (B,H,W,C))` -> `(B,C)`: the mean over H and W (`gap`).
    case spatialMean
    /// `(x (B,H,W,C), w (KH,KW,C,M))` -> `(B,OH,OW,C*M)`: each channel c convolved with its own
    /// M filters; output channel c*M + m (Keras DepthwiseConv2D).
    case depthwiseConv2d(ConvAttributes)
    /// `(x_1 (..., C_1), ..., x_n (..., C_n))` -> `(..., sum C_i)`: joined on the last axis; the
    /// leading axes of every operand are equal.
    case concat
    /// `(x (..., C))` -> `(..., count)`: channels `start ..< start + count` (concat's gradient).
    case channelSlice(start: Int, count: Int)
    /// `(x, seed i32[])` -> same shape: keeps an element when `DropoutMask.keeps` says so and
    /// scales it by `1/(1-rate)`; the mask is a hash of (seed, salt, element index).
    case dropout(DropoutAttributes)
    /// `(x (..., C), gamma (C), beta (C))` -> normalised with this batch's statistics
    /// (biased variance over every axis but the last).
    case batchNormTraining(epsilon: Double)
    /// `(x (..., C), gamma, beta, mean, variance)` -> normalised with the given statistics.
    case batchNormInference(epsilon: Double)
    /// `(x (..., C))` -> `(C)`: the mean over every axis but the last.
    case batchMean
    /// `(x (..., C))` -> `(C)`: the biased variance over every axis but the last.
    case batchVariance
    /// `(logits (B,K), labels i32[B])` -> `f32[]`: mean categorical cross-entropy of softmax(logits)
    /// against the targets `onehot * (1 - s) + s / K` (Keras' `label_smoothing`; 0: plain).
    case softmaxCrossEntropy(labelSmoothing: Double)
    /// `(logits (B,K), labels i32[B])` -> `f32[]`: how many rows have argmax == label.
    case correctCount

    // MARK: Layers (backward)

    /// `(dy (B,OH,OW,F), w (KH,KW,Cin,F))` -> dx, of the declared `(B,H,W,Cin)` shape.
    case conv2dInputGrad(ConvAttributes)
    /// `(dy (B,OH,OW,C*M), w (KH,KW,C,M))` -> dx of the declared `(B,H,W,C)` shape.
    case depthwiseConv2dInputGrad(ConvAttributes)
    /// `(x (B,H,W,C), dy (B,OH,OW,C*M))` -> dw `(KH,KW,C,M)`.
    case depthwiseConv2dFilterGrad(ConvAttributes)
    /// `(x (B,H,W,Cin), dy (B,OH,OW,F))` -> dw `(KH,KW,Cin,F)`.
    case conv2dFilterGrad(ConvAttributes)
    /// `(dy (..., C))` -> `(C)`: the sum over every axis but the last.
    case biasGrad
    /// `(dy, y)` where `y` is the softmax output -> dx.
    case softmaxGrad
    /// `(x, dy)` -> dx: each window's gradient goes to its first maximum.
    case maxPoolGrad(PoolAttributes)
    /// `(dy)` -> dx of the declared shape.
    case avgPoolGrad(PoolAttributes)
    /// `(dy (B,C))` -> dx of the declared `(B,H,W,C)` shape.
    case spatialMeanGrad
    /// `(dy, seed)` -> dx, with the same mask as the forward op.
    case dropoutGrad(DropoutAttributes)
    /// `(dy, x, gamma)` -> dx of `batchNormTraining`, through the batch statistics.
    case batchNormGradInput(epsilon: Double)
    /// `(dy, x)` -> dgamma `(C)` of `batchNormTraining` (dbeta is `biasGrad(dy)`).
    case batchNormGradGamma(epsilon: Double)
    /// `(logits, labels, dloss f32[])` -> dlogits = (softmax - targets) / B * dloss, the targets
    /// smoothed as the forward op's.
    case softmaxCrossEntropyGrad(labelSmoothing: Double)

    // MARK: Lowered (produced by the optimizer)

    /// `(x (B,H,W,C))` -> `(B*OH*OW, KH*KW*C)`: patches, zero outside the image, so that
    /// conv2d == matmul(im2col(x), reshape(w, KH*KW*C, F)).
    case im2col(ConvAttributes)
    /// `(cols (B*OH*OW, KH*KW*C))` -> the declared `(B,H,W,C)`: the adjoint of im2col (sums overlaps).
    case col2im(ConvAttributes)

    // MARK: Extensions

    /// A fused op: `body` is a graph whose `argument` inputs (in order) receive the operands and
    /// whose outputs are the results (the instruction's result, then its `extraResults`).
    /// `kind` says what kernel shape it is (`FusionKind`). The interpreter evaluates the body,
    /// so a new fusion needs no new interpreter code.
    case fusion(kind: FusionKind, body: Graph)
    /// An op defined outside this module (by name); its result type is the declared one and
    /// the interpreter runs it through a registered kernel.
    case custom(String)
}

extension Op {
    /// The printed mnemonic: `conv2d`, `relu_grad`, `fusion.conv_bias_relu`.
    public var mnemonic: String {
        switch self {
        case .input(let role): role.rawValue
        case .constant: "constant"
        case .unary(let u): u.rawValue
        case .binary(let b): b.rawValue
        case .activation(let a): a.rawValue
        case .activationGrad(let a): a.rawValue + "_grad"
        case .broadcast: "broadcast"
        case .reduceSum: "reduce_sum"
        case .reshape: "reshape"
        case .convert: "convert"
        case .conv2d: "conv2d"
        case .matmul: "matmul"
        case .biasAdd: "bias_add"
        case .softmax: "softmax"
        case .maxPool: "max_pool"
        case .avgPool: "avg_pool"
        case .spatialMean: "mean_hw"
        case .depthwiseConv2d: "depthwise_conv2d"
        case .concat: "concat"
        case .channelSlice: "channel_slice"
        case .depthwiseConv2dInputGrad: "depthwise_conv2d_input_grad"
        case .depthwiseConv2dFilterGrad: "depthwise_conv2d_filter_grad"
        case .dropout: "dropout"
        case .batchNormTraining: "batch_norm_training"
        case .batchNormInference: "batch_norm_inference"
        case .batchMean: "batch_mean"
        case .batchVariance: "batch_variance"
        case .softmaxCrossEntropy: "softmax_xent"
        case .correctCount: "correct_count"
        case .conv2dInputGrad: "conv2d_input_grad"
        case .conv2dFilterGrad: "conv2d_filter_grad"
        case .biasGrad: "bias_grad"
        case .softmaxGrad: "softmax_grad"
        case .maxPoolGrad: "max_pool_grad"
        case .avgPoolGrad: "avg_pool_grad"
        case .spatialMeanGrad: "mean_hw_grad"
        case .dropoutGrad: "dropout_grad"
        case .batchNormGradInput: "batch_norm_grad_input"
        case .batchNormGradGamma: "batch_norm_grad_gamma"
        case .softmaxCrossEntropyGrad: "softmax_xent_grad"
        case .im2col: "im2col"
        case .col2im: "col2im"
        case .fusion(let kind, _): "fusion." + kind.name
        case .custom(let name): name
        }
    }

    /// The op's own attributes as printed after the operands (`window=3x3 stride=1 pad=same`).
    public var printedAttributes: String {
        switch self {
        case .constant(let v): "value=\(Float(v))"
        case .conv2d(let c), .conv2dInputGrad(let c), .conv2dFilterGrad(let c),
             .im2col(let c), .col2im(let c), .depthwiseConv2d(let c), .depthwiseConv2dInputGrad(let c),
             .depthwiseConv2dFilterGrad(let c): c.printed
        case .channelSlice(let start, let count): "start=\(start) count=\(count)"
        case .matmul(let ta, let tb):
            [ta ? "transpose_a" : nil, tb ? "transpose_b" : nil].compactMap { $0 }.joined(separator: " ")
        case .maxPool(let p), .avgPool(let p), .maxPoolGrad(let p), .avgPoolGrad(let p): p.printed
        case .dropout(let d), .dropoutGrad(let d): d.printed
        case .batchNormTraining(let e), .batchNormInference(let e),
             .batchNormGradInput(let e), .batchNormGradGamma(let e): "epsilon=\(e)"
        case .fusion(let kind, _): kind.printedAttributes
        case .softmaxCrossEntropy(let s), .softmaxCrossEntropyGrad(let s): s == 0 ? "" : "label_smoothing=\(s)"
        case .input, .unary, .binary, .activation, .activationGrad, .broadcast, .reduceSum, .reshape, .convert,
             .biasAdd, .softmax, .spatialMean, .concat, .batchMean, .batchVariance,
             .correctCount, .biasGrad, .softmaxGrad, .spatialMeanGrad, .custom: ""
        }
    }

    /// True for ops that compute each output element from the same element of each operand
    /// (scalars, and bias vectors along the last axis, broadcast): the candidates for loop
    /// fusion. Dropout is pointwise too but also reads the element's flat index.
    public var isElementwise: Bool {
        if case .elementwise = family { true } else { false }
    }

    /// True for ops whose result type cannot be inferred from the operands alone, so the
    /// instruction's declared type is authoritative (and checked for consistency).
    public var takesDeclaredType: Bool {
        switch self {
        case .input, .constant, .broadcast, .reshape, .convert, .conv2dInputGrad, .avgPoolGrad,
             .spatialMeanGrad, .col2im, .custom, .depthwiseConv2dInputGrad: true
        case .unary, .binary, .activation, .activationGrad, .reduceSum, .conv2d, .matmul, .biasAdd, .softmax,
             .maxPool, .avgPool, .spatialMean, .depthwiseConv2d, .concat, .channelSlice, .dropout, .batchNormTraining,
             .batchNormInference, .batchMean, .batchVariance, .softmaxCrossEntropy, .correctCount,
             .depthwiseConv2dFilterGrad, .conv2dFilterGrad, .biasGrad, .softmaxGrad, .maxPoolGrad, .dropoutGrad,
             .batchNormGradInput, .batchNormGradGamma, .softmaxCrossEntropyGrad, .im2col, .fusion: false
        }
    }
}

extension Op {
    /// True for the convolution ops whose algorithm the optimizer's kernel selection decides
    /// (they must not reach a backend bare). Exhaustive, so a new op is classified on purpose.
    public var isConvolution: Bool {
        switch self {
        case .conv2d, .conv2dInputGrad, .conv2dFilterGrad: true
        case .input, .constant, .unary, .binary, .activation, .activationGrad, .broadcast, .reduceSum, .reshape,
             .convert, .matmul, .biasAdd, .softmax, .maxPool, .avgPool, .spatialMean, .dropout, .batchNormTraining,
             .batchNormInference, .batchMean, .batchVariance, .softmaxCrossEntropy, .correctCount, .biasGrad,
             .softmaxGrad, .maxPoolGrad, .avgPoolGrad, .spatialMeanGrad, .dropoutGrad, .batchNormGradInput,
             .batchNormGradGamma, .softmaxCrossEntropyGrad, .im2col, .col2im, .fusion, .custom: false
        // Depthwise convolutions stay bare ops; kernel selection writes their `kernel=` directly.
        case .depthwiseConv2d, .depthwiseConv2dInputGrad, .depthwiseConv2dFilterGrad, .concat, .channelSlice: false
        }
    }

    /// The depthwise convolution ops (forward and both gradients): bare instructions whose
    /// `kernel=` (`ConvAlgorithm.isDepthwise`) kernel selection writes per target.
    public var isDepthwiseConvolution: Bool {
        switch self {
        case .depthwiseConv2d, .depthwiseConv2dInputGrad, .depthwiseConv2dFilterGrad: true
        case .input, .constant, .unary, .binary, .activation, .activationGrad, .broadcast, .reduceSum, .reshape,
             .convert, .matmul, .biasAdd, .softmax, .maxPool, .avgPool, .spatialMean, .dropout, .batchNormTraining,
             .batchNormInference, .batchMean, .batchVariance, .softmaxCrossEntropy, .correctCount, .biasGrad,
             .softmaxGrad, .maxPoolGrad, .avgPoolGrad, .spatialMeanGrad, .dropoutGrad, .batchNormGradInput,
             .batchNormGradGamma, .softmaxCrossEntropyGrad, .im2col, .col2im, .fusion, .custom, .conv2d,
             .conv2dInputGrad, .conv2dFilterGrad, .concat, .channelSlice: false
        }
    }
}
