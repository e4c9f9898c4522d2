import ConvnetSema
import ConvnetSyntax

/// The comment that opens each generated block: which `.convnet` line and layer it implements,
/// e.g. `// flowers.convnet:5  conv 3x3x30 relu  ->  conv2d_1 (32, 192, 192, 30)`.
///
/// A layer made by a block call is also announced by its calls, outermost first, the first time
/// the code enters it (again after other code): `// fire(24, 24) — block fire, called at line 12`.
struct LayerComments {
    /// One block call that expanded a layer: where it is, and its header comment.
    struct Call: Equatable {
        var range: SourceRange
        var header: String
    }

    private var byName: [String: (line: Int, text: String)] = [:]
    /// The calls that expanded each layer made by a block, outermost first.
    private var callsByName: [String: [Call]] = [:]
    private let fileName: String

    init(model: CheckedModel) {
        let source = model.file.source
        fileName = source.fileName
        for layer in model.layers {
            let line = source.location(of: layer.decl.range.start).line
            let text = source.text(layer.decl.range).split(separator: "\n").first.map(String.init) ?? ""
            byName[layer.name] = (line, text.trimmingCharacters(in: .whitespaces))
            var calls: [Call] = []
            var outer: String?
            for range in layer.callSites {
                let call = (source.text(range).split(separator: "\n").first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
                let block = String(call.prefix { $0 != "(" }).trimmingCharacters(in: .whitespaces)
                let line = source.location(of: range.start).line
                calls.append(Call(range: range, header: "// \(call) — block \(block), called at line \(line)"
                                  + (outer.map { " inside \($0)" } ?? "")))
                outer = "block \(block)"
            }
            if !calls.isEmpty { callsByName[layer.name] = calls }
        }
    }

    /// The block calls that made `layer` (none for a top-level layer, the loss or the optimizer).
    func calls(of layer: String?) -> [Call] {
        layer.flatMap { callsByName[$0] } ?? []
    }

    /// The headers of the calls entered going from code of the calls `previous` to code of
    /// `next`: every call of `next` after the part both share.
    static func headers(from previous: [Call], to next: [Call]) -> [String] {
        var shared = 0
        while shared < min(previous.count, next.count), previous[shared] == next[shared] { shared += 1 }
        return next[shared...].map(\.header)
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
