import ConvnetSema
import ConvnetSyntax

/// A checked model from layer kinds alone, through the real semantic pass (Keras shapes,
/// names and counts), for tests of the stages after it that should not depend on the parser.
/// Each layer stands on its own line of a fake source so diagnostics still have places.
public func model(_ input: TensorShape, _ layers: [LayerKind]) -> CheckedModel {
    let source = SourceFile(path: "test.convnet", text: String(repeating: "layer\n", count: layers.count + 1))
    var file = ModelFile(source: source)
    file.input = InputDecl(height: input.height, width: input.width, channels: input.channels,
                           range: SourceRange(0, 5))
    file.layers = layers.enumerated().map { i, kind in
        let start = (i + 1) * 6
        return LayerDecl(kind: kind, range: SourceRange(start, start + 5), keywordRange: SourceRange(start, start + 5))
    }
    let result = SemanticAnalyzer.analyze(file)
    guard let checked = result.model else {
        preconditionFailure("test model does not check: \(result.diagnostics.map(\.message))")
    }
    return checked
}
