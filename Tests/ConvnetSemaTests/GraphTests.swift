import XCTest
import ConvnetSyntax
@testable import ConvnetSema

/// Parses and checks text.
func analyze(_ text: String) -> (model: CheckedModel?, diagnostics: [Diagnostic]) {
    let parsed = Parser.parse(SourceFile(path: "g.convnet", text: text))
    let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
    return (sema.model, (parsed.diagnostics + sema.diagnostics).sortedByLocation())
}

/// The model as a graph: a sequential file is the chain special case; merges, residuals and
/// block calls expand into nodes with explicit inputs in topological order.
final class GraphTests: XCTestCase {
    func testSequentialModelIsAChain() throws {
        let model = try XCTUnwrap(SemanticAnalyzer.analyze(modelFile(solutionNotebook)).model)
        XCTAssertTrue(model.isSequential)
        XCTAssertEqual(model.layers[0].inputs, [.modelInput])
        for layer in model.layers.dropFirst() {
            XCTAssertEqual(layer.inputs, [.layer(layer.index - 1)])
            XCTAssertEqual(layer.inputShape, model.layers[layer.index - 1].outputShape)
        }
        XCTAssertEqual(model.consumers.last, [])
        XCTAssertEqual(model.consumers[0], [1])
    }

    func testEveryLayerKeywordParsesToItsOwnKind() {
        // Each layer keyword reaches its own rule (no keyword falls into another layer's).
        let sources: [LayerKeyword: String] = [
            .conv: "conv 3x3x4", .sepconv: "sepconv 3x3x4", .dwconv: "dwconv 3x3", .maxpool: "maxpool 2",
            .avgpool: "avgpool 2", .gap: "gap", .flatten: "flatten", .dense: "dense 3",
            .dropout: "dropout 0.5", .batchnorm: "batchnorm", .activation: "activation relu",
        ]
        XCTAssertEqual(Set(sources.keys), Set(LayerKeyword.allCases))
        for (keyword, text) in sources {
            let parsed = Parser.parse(SourceFile(path: "t", text: text))
            XCTAssertEqual(parsed.diagnostics, [], text)
            XCTAssertEqual(parsed.file.layers.first?.kind.keyword, keyword.rawValue, text)
        }
    }

    func testConcatAndResidualInputs() throws {
        let (model, diagnostics) = analyze("""
        input 8x8x3
        conv 3x3x4 relu
        concat {
          branch { conv 1x1x2 }
          branch { }
        }
        residual { conv 3x3x6 relu }
        gap
        dense 2 softmax
        """)
        XCTAssertEqual(diagnostics, [])
        let m = try XCTUnwrap(model)
        XCTAssertFalse(m.isSequential)
        XCTAssertEqual(m.layers.map(\.name), ["conv2d", "conv2d_1", "concatenate", "conv2d_2", "add",
                                              "global_average_pooling2d", "dense"])
        XCTAssertEqual(m.layers[2].inputs, [.layer(1), .layer(0)])
        XCTAssertEqual(m.layers[2].outputShape, .spatial(8, 8, 6))
        XCTAssertEqual(m.layers[4].inputs, [.layer(3), .layer(2)])
        XCTAssertEqual(m.layers[4].kerasType, "Add")
        XCTAssertEqual(m.name(of: m.layers[0].inputs[0]), "input")
        XCTAssertEqual(m.consumers[0], [1, 2])
    }

    func testBlockCallsExpandWithArgumentsAndCallSites() throws {
        let text = """
        input 16x16x3
        block fire(s, e) {
          conv 1x1x{s} relu
          concat { branch { conv 1x1x{e} relu }; branch { conv 3x3x{e} relu } }
        }
        fire(4, 8); maxpool 2
        fire(8, 16)
        gap
        dense 3 softmax
        """
        let (model, diagnostics) = analyze(text)
        XCTAssertEqual(diagnostics, [])
        let m = try XCTUnwrap(model)
        XCTAssertEqual(m.layers.map(\.name), ["conv2d", "conv2d_1", "conv2d_2", "concatenate", "max_pooling2d",
                                              "conv2d_3", "conv2d_4", "conv2d_5", "concatenate_1",
                                              "global_average_pooling2d", "dense"])
        XCTAssertEqual(m.layers[3].outputShape, .spatial(16, 16, 16))
        XCTAssertEqual(m.layers[8].outputShape, .spatial(8, 8, 32))
        let source = m.file.source
        XCTAssertEqual(m.layers[5].callSites.map { source.location(of: $0.start).line }, [7])
        XCTAssertEqual(source.location(of: m.layers[5].decl.range.start).line, 3)
        XCTAssertEqual(m.layers[4].callSites, [])
    }

    func testKerasParameterCountsOfTheNewLayers() throws {
        let (model, diagnostics) = analyze("""
        input 10x10x4
        dwconv 3x3 multiplier 2
        sepconv 3x3x5 multiplier 3 stride 2
        conv 3x3x6 bias off
        batchnorm momentum 0.9 epsilon 0.01
        maxpool 2 padding same
        avgpool 3 stride 2 padding same
        activation relu
        gap
        dense 2 softmax
        """)
        XCTAssertEqual(diagnostics, [])
        let m = try XCTUnwrap(model)
        // DepthwiseConv2D: K*K*Cin*M + Cin*M.
        XCTAssertEqual(m.layers[0].params, 3 * 3 * 4 * 2 + 4 * 2)
        XCTAssertEqual(m.layers[0].outputShape, .spatial(10, 10, 8))
        // SeparableConv2D: K*K*Cin*M + Cin*M*F + F.
        XCTAssertEqual(m.layers[1].params, 3 * 3 * 8 * 3 + 8 * 3 * 5 + 5)
        XCTAssertEqual(m.layers[1].outputShape, .spatial(5, 5, 5))
        XCTAssertEqual(m.layers[2].params, 3 * 3 * 5 * 6)
        XCTAssertEqual(m.layers[3].params, 24)
        XCTAssertEqual(m.layers[3].trainableParams, 12)
        XCTAssertEqual(m.layers[4].outputShape, .spatial(3, 3, 6))
        XCTAssertEqual(m.layers[5].outputShape, .spatial(2, 2, 6))
        XCTAssertEqual(m.layers.map(\.kerasType), ["DepthwiseConv2D", "SeparableConv2D", "Conv2D", "BatchNormalization",
                                                   "MaxPooling2D", "AveragePooling2D", "Activation",
                                                   "GlobalAveragePooling2D", "Dense"])
        guard case .batchNorm(let b) = m.layers[3].kind else { return XCTFail() }
        XCTAssertEqual(b, BatchNormDecl(momentum: 0.9, epsilon: 0.01))
    }
}
