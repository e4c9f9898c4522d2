import ConvnetSyntax

/// Keras' automatic layer names and class names, so that `summary`, checkpoints and profiles use
/// the names a Keras user already knows: the first layer of a kind is `conv2d`, then `conv2d_1`...
struct KerasNaming {
    private var counts: [String: Int] = [:]

    static func baseName(_ kind: LayerKind) -> (name: String, type: String) {
        switch kind {
        case .conv: ("conv2d", "Conv2D")
        case .maxPool: ("max_pooling2d", "MaxPooling2D")
        case .avgPool: ("average_pooling2d", "AveragePooling2D")
        case .globalAveragePool: ("global_average_pooling2d", "GlobalAveragePooling2D")
        case .flatten: ("flatten", "Flatten")
        case .dense: ("dense", "Dense")
        case .dropout: ("dropout", "Dropout")
        case .batchNorm: ("batch_normalization", "BatchNormalization")
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
        case .maxPool: "maxpool"
        case .avgPool: "avgpool"
        case .globalAveragePool: "gap"
        case .flatten: "flatten"
        case .dense: "dense"
        case .dropout: "dropout"
        case .batchNorm: "batchnorm"
        }
    }

    /// The layer as it would be written in a `.convnet` file, e.g. `conv 3x3x30 relu`.
    public var sourceForm: String {
        switch self {
        case .conv(let c):
            var s = "conv \(c.kernelHeight)x\(c.kernelWidth)x\(c.filters)"
            if c.stride != 1 { s += " stride \(c.stride)" }
            if c.padding != .same { s += " padding \(c.padding.rawValue)" }
            if c.activation != .linear { s += " \(c.activation.rawValue)" }
            return s
        case .maxPool(let p), .avgPool(let p):
            return "\(keyword) \(p.size)" + (p.stride != p.size ? " stride \(p.stride)" : "")
        case .dense(let d):
            return "dense \(d.units)" + (d.activation != .linear ? " \(d.activation.rawValue)" : "")
        case .dropout(let r):
            return "dropout \(r)"
        case .globalAveragePool, .flatten, .batchNorm:
            return keyword
        }
    }
}
