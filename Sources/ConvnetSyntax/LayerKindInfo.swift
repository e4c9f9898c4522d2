/// The facts about a layer kind that do not depend on its sizes, one row per kind in one table
/// (`LayerKind.info`): the keyword it is written with, Keras' automatic name prefix and class
/// name (for `summary`, checkpoints, weight import and `export keras`), and what kind of map it
/// is (for the lint rules). With `sourceForm` and `appliedActivation` below, this file is the one
/// place a new kind's naming and classification are written; shapes and counts are Sema's
/// (`LayerRules`), lowering is the IR builder's.
public struct LayerKindInfo: Hashable, Sendable {
    /// The keyword the layer is written with, e.g. `conv`, `maxpool` (`concat`, `add` for merges).
    public let keyword: String
    /// Keras' automatic name of the first layer of the kind (`conv2d`, then `conv2d_1`, ...).
    public let kerasName: String
    /// The Keras class (`keras.layers.Conv2D`).
    public let kerasClass: String
    public let algebra: LayerAlgebra

    init(_ keyword: String, keras kerasName: String, _ kerasClass: String, _ algebra: LayerAlgebra) {
        self.keyword = keyword
        self.kerasName = kerasName
        self.kerasClass = kerasClass
        self.algebra = algebra
    }
}

/// What kind of map a layer applies to its input, for rules that reason about composition
/// (two affine maps in a row collapse into one; a fixed linear map between them does not help).
public enum LayerAlgebra: Hashable, Sendable {
    /// A learned weight matrix (before any activation): convolutions and dense layers.
    case affine
    /// A fixed linear map without weights: reshapes, averages, dropout (the identity at inference).
    case linear
    /// A fixed nonlinear map: max pooling, a standalone activation.
    case nonlinear
    /// Batch normalisation: per-channel affine with statistics of the batch.
    case normalization
    /// A merge of several branches.
    case merge
}

extension LayerKind {
    /// The kind's row of the table.
    public var info: LayerKindInfo {
        switch self {
        case .conv: LayerKindInfo("conv", keras: "conv2d", "Conv2D", .affine)
        case .depthwiseConv: LayerKindInfo("dwconv", keras: "depthwise_conv2d", "DepthwiseConv2D", .affine)
        case .separableConv: LayerKindInfo("sepconv", keras: "separable_conv2d", "SeparableConv2D", .affine)
        case .maxPool: LayerKindInfo("maxpool", keras: "max_pooling2d", "MaxPooling2D", .nonlinear)
        case .avgPool: LayerKindInfo("avgpool", keras: "average_pooling2d", "AveragePooling2D", .linear)
        case .globalAveragePool: LayerKindInfo("gap", keras: "global_average_pooling2d", "GlobalAveragePooling2D", .linear)
        case .flatten: LayerKindInfo("flatten", keras: "flatten", "Flatten", .linear)
        case .dense: LayerKindInfo("dense", keras: "dense", "Dense", .affine)
        case .dropout: LayerKindInfo("dropout", keras: "dropout", "Dropout", .linear)
        case .batchNorm: LayerKindInfo("batchnorm", keras: "batch_normalization", "BatchNormalization", .normalization)
        case .activation: LayerKindInfo("activation", keras: "activation", "Activation", .nonlinear)
        case .concat: LayerKindInfo("concat", keras: "concatenate", "Concatenate", .merge)
        case .add: LayerKindInfo("add", keras: "add", "Add", .merge)
        }
    }

    /// The keyword the layer is written with, e.g. `conv`, `maxpool`.
    public var keyword: String { info.keyword }

    /// True for the layers whose output is a linear function of their input and weights
    /// (before any activation): convolutions and dense layers.
    public var hasWeightsMatrix: Bool { info.algebra == .affine }

    /// The activation the layer applies, if it applies one (its own option, or the standalone
    /// activation layer's function).
    public var appliedActivation: Activation? {
        switch self {
        case .conv(let c): c.activation
        case .depthwiseConv(let d): d.activation
        case .separableConv(let s): s.activation
        case .dense(let d): d.activation
        case .activation(let a): a
        case .maxPool, .avgPool, .globalAveragePool, .flatten, .dropout, .batchNorm, .concat, .add: nil
        }
    }

    /// The layer as it would be written in a `.convnet` file, e.g. `conv 3x3x30 relu`.
    public var sourceForm: String {
        switch self {
        case .conv(let c):
            var s = "conv \(c.kernelHeight)x\(c.kernelWidth)x\(c.filters)"
            if c.stride != 1 { s += " stride \(c.stride)" }
            if c.padding != .same { s += " padding \(c.padding.rawValue)" }
            if !c.useBias { s += " bias off" }
            if c.activation != .linear { s += " \(c.activation.rawValue)" }
            return s
        case .depthwiseConv(let d):
            var s = "dwconv \(d.kernelHeight)x\(d.kernelWidth)"
            if d.stride != 1 { s += " stride \(d.stride)" }
            if d.multiplier != 1 { s += " multiplier \(d.multiplier)" }
            if d.padding != .same { s += " padding \(d.padding.rawValue)" }
            if d.activation != .linear { s += " \(d.activation.rawValue)" }
            return s
        case .separableConv(let c):
            var s = "sepconv \(c.kernelHeight)x\(c.kernelWidth)x\(c.filters)"
            if c.stride != 1 { s += " stride \(c.stride)" }
            if c.multiplier != 1 { s += " multiplier \(c.multiplier)" }
            if c.padding != .same { s += " padding \(c.padding.rawValue)" }
            if c.activation != .linear { s += " \(c.activation.rawValue)" }
            return s
        case .maxPool(let p), .avgPool(let p):
            return "\(keyword) \(p.size)" + (p.stride != p.size ? " stride \(p.stride)" : "")
                + (p.padding != .valid ? " padding \(p.padding.rawValue)" : "")
        case .batchNorm(let b):
            var s = keyword
            if b.momentum != BatchNormDecl.defaultMomentum { s += " momentum \(b.momentum)" }
            if b.epsilon != BatchNormDecl.defaultEpsilon { s += " epsilon \(b.epsilon)" }
            return s
        case .activation(let a):
            return "activation \(a.rawValue)"
        case .concat, .add:
            return "\(keyword) { ... }"
        case .dense(let d):
            return "dense \(d.units)" + (d.activation != .linear ? " \(d.activation.rawValue)" : "")
        case .dropout(let r):
            return "dropout \(r)"
        case .globalAveragePool, .flatten:
            return keyword
        }
    }
}
