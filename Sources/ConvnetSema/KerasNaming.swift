import ConvnetSyntax

/// Keras' automatic layer names and class names, so that `summary`, checkpoints and profiles use
/// the names a Keras user already knows: the first layer of a kind is `conv2d`, then `conv2d_1`...
struct KerasNaming {
    private var counts: [String: Int] = [:]

    static func baseName(_ kind: LayerKind) -> (name: String, type: String) {
        switch kind {
        case .conv: ("conv2d", "Conv2D")
        case .depthwiseConv: ("depthwise_conv2d", "DepthwiseConv2D")
        case .separableConv: ("separable_conv2d", "SeparableConv2D")
        case .maxPool: ("max_pooling2d", "MaxPooling2D")
        case .avgPool: ("average_pooling2d", "AveragePooling2D")
        case .globalAveragePool: ("global_average_pooling2d", "GlobalAveragePooling2D")
        case .flatten: ("flatten", "Flatten")
        case .dense: ("dense", "Dense")
        case .dropout: ("dropout", "Dropout")
        case .batchNorm: ("batch_normalization", "BatchNormalization")
        case .activation: ("activation", "Activation")
        case .concat: ("concatenate", "Concatenate")
        case .add: ("add", "Add")
        }
    }

    /// The next name for a layer of this kind.
    mutating func next(_ kind: LayerKind) -> (name: String, type: String) {
        let (base, type) = Self.baseName(kind)
        let n = counts[base, default: 0]
        counts[base] = n + 1
        return (n == 0 ? base : "\(base)_\(n)", type)
    }
}

extension LayerKind {
    /// The keyword the layer is written with, e.g. `conv`, `maxpool`.
    public var keyword: String {
        switch self {
        case .conv: "conv"
        case .depthwiseConv: "dwconv"
        case .separableConv: "sepconv"
        case .maxPool: "maxpool"
        case .avgPool: "avgpool"
        case .globalAveragePool: "gap"
        case .flatten: "flatten"
        case .dense: "dense"
        case .dropout: "dropout"
        case .batchNorm: "batchnorm"
        case .activation: "activation"
        case .concat: "concat"
        case .add: "add"
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
