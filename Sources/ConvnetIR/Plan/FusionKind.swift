/// What a `fusion` instruction is, as a value: passes build it, backends `switch` over it
/// (exhaustively: a new kind makes the compiler list every place to update), and the printer
/// spells it (`conv_bias_relu_max_pool`). The body is the fusion's meaning, which the
/// interpreter runs; the kind says which kernel shape implements it, so no backend has to
/// recognise a body.
public enum FusionKind: Hashable, Sendable {
    /// `(x, w[, b])`: `conv2d` (+ `bias_add` (+ activation)) in its body. With `pool`, a
    /// second result: the max pool of the first, computed by the convolution's kernel band by
    /// band while its rows are in cache (the body's second output is that `max_pool`).
    case conv(ConvAttributes, bias: Bool, activation: ActivationFunction?, pool: PoolAttributes?)
    /// `(dy, w[, y])`: `conv2d_input_grad` (+ `<act>_grad(., y)`). With `biasGradient`, a
    /// second result: the `bias_grad` of the first (the layer before's bias gradient).
    case convInputGrad(ConvAttributes, activation: ActivationFunction?, biasGradient: Bool)
    /// `(x, dy)`: `conv2d_filter_grad`.
    case convFilterGrad(ConvAttributes)
    /// `(x, w, b)`: a dense layer, `matmul` + `bias_add` (+ activation).
    case matmulBias(activation: ActivationFunction?)
    /// `(..., y)`: a producer of a gradient followed by `<act>_grad(., y)` as its epilogue.
    /// With `biasGradient`, a second result: the `bias_grad` of the first.
    case gradient(GradientProducer, ActivationFunction, biasGradient: Bool)
    /// A tree of elementwise ops, one pass over the elements.
    case loop
}

/// The ops an activation gradient can join as an epilogue (`BackwardFusion`), besides the
/// convolution input gradient, which is `FusionKind.convInputGrad`.
public enum GradientProducer: String, Hashable, Sendable, CaseIterable {
    case matmul
    case maxPoolGrad = "max_pool_grad"
    case avgPoolGrad = "avg_pool_grad"
    case spatialMeanGrad = "mean_hw_grad"
    case dropoutGrad = "dropout_grad"
    case batchNormGradInput = "batch_norm_grad_input"
}

extension FusionKind {
    /// The printed name: `conv_bias_relu`, `conv_bias_relu_max_pool`,
    /// `conv_input_grad_relu_grad_bias_grad`, `matmul_bias`, `loop`.
    public var name: String {
        func act(_ f: ActivationFunction?) -> String { f.map { "_" + $0.rawValue } ?? "" }
        switch self {
        case .conv(_, let bias, let f, let pool):
            return "conv" + (bias ? "_bias" : "") + act(f) + (pool != nil ? "_max_pool" : "")
        case .convInputGrad(_, let f, let db):
            return "conv_input_grad" + (f.map { "_\($0.rawValue)_grad" } ?? "") + (db ? "_bias_grad" : "")
        case .convFilterGrad: return "conv_filter_grad"
        case .matmulBias(let f): return "matmul_bias" + act(f)
        case .gradient(let p, let f, let db): return p.rawValue + "_\(f.rawValue)_grad" + (db ? "_bias_grad" : "")
        case .loop: return "loop"
        }
    }

    /// The window of a convolution kind.
    public var convolution: ConvAttributes? {
        switch self {
        case .conv(let c, _, _, _), .convInputGrad(let c, _, _), .convFilterGrad(let c): c
        case .matmulBias, .gradient, .loop: nil
        }
    }

    /// How many results the fusion has (its body's outputs): 2 when a kernel also writes a
    /// pooled copy or a bias gradient.
    public var resultCount: Int {
        switch self {
        case .conv(_, _, _, let pool): pool == nil ? 1 : 2
        case .convInputGrad(_, _, let db), .gradient(_, _, let db): db ? 2 : 1
        case .convFilterGrad, .matmulBias, .loop: 1
        }
    }

    /// Attributes printed after the operands: the window, and the pool of a conv + pool.
    public var printedAttributes: String {
        switch self {
        case .conv(let c, _, _, let pool): c.printed + (pool.map { " pool=\($0.size)x\($0.size)/\($0.stride)" } ?? "")
        case .convInputGrad(let c, _, _), .convFilterGrad(let c): c.printed
        case .matmulBias, .gradient, .loop: ""
        }
    }
}
