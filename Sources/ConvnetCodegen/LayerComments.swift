import ConvnetSema

/// The comment that opens each generated block: which `.convnet` line and layer it implements,
/// e.g. `// flowers.convnet:5  conv 3x3x30 relu  ->  conv2d_1 (32, 192, 192, 30)`.
struct LayerComments {
    private var byName: [String: (line: Int, text: String)] = [:]
    private let fileName: String

    init(model: CheckedModel) {
        let source = model.file.source
        fileName = source.fileName
        for layer in model.layers {
            let line = source.location(of: layer.decl.range.start).line
            let text = source.text(layer.decl.range).split(separator: "\n").first.map(String.init) ?? ""
            byName[layer.name] = (line, text.trimmingCharacters(in: .whitespaces))
        }
    }

    /// The comment for an instruction of `layer` (a model layer, `loss`, `optimizer` or nil)
    /// whose result has `shape`.
    func comment(layer: String?, shape: [Int]) -> String {
        guard let layer else { return "// " + Literal.shape(shape) }
        if let (line, text) = byName[layer] {
            return "// \(fileName):\(line)  \(text)  ->  \(layer) \(Literal.shape(shape))"
        }
        return "// \(layer) \(Literal.shape(shape))"
    }
}

extension String {
    /// Drops leading and trailing characters of `set` (Foundation-free, for the emitter).
    func trimmingCharacters(in set: CharacterSetLite) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}

/// The one character class the emitter trims.
enum CharacterSetLite {
    case whitespaces
    func contains(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" }
}
