import ConvnetSyntax

/// Keras' automatic layer names and class names, so that `summary`, checkpoints and profiles use
/// the names a Keras user already knows: the first layer of a kind is `conv2d`, then `conv2d_1`...
/// The names per kind are `LayerKind.info`'s.
struct KerasNaming {
    private var counts: [String: Int] = [:]

    static func baseName(_ kind: LayerKind) -> (name: String, type: String) {
        (kind.info.kerasName, kind.info.kerasClass)
    }

    /// The next name for a layer of this kind.
    mutating func next(_ kind: LayerKind) -> (name: String, type: String) {
        let (base, type) = Self.baseName(kind)
        let n = counts[base, default: 0]
        counts[base] = n + 1
        return (n == 0 ? base : "\(base)_\(n)", type)
    }
}
