import ConvnetSyntax
import XCTest
@testable import ConvnetSema

final class SemaDiagnosticTests: XCTestCase {
    private func ids(_ result: SemaResult) -> [String] { result.diagnostics.map(\.id) }

    func testDenseOnRank3SaysInsertFlattenOrGap() {
        let result = SemanticAnalyzer.analyze(modelFile([conv(3, 8), dense(5)]))
        XCTAssertNil(result.model)
        XCTAssertEqual(ids(result), ["sema.dense-needs-flat-input"])
        XCTAssertTrue(result.diagnostics[0].help!.contains("flatten"))
        XCTAssertTrue(result.diagnostics[0].help!.contains("gap"))
    }

    func testFlattenAndGapOnFlatTensor() {
        XCTAssertEqual(ids(SemanticAnalyzer.analyze(modelFile([.flatten, .flatten]))), ["sema.already-flat"])
        XCTAssertEqual(ids(SemanticAnalyzer.analyze(modelFile([.globalAveragePool, .globalAveragePool]))), ["sema.already-flat"])
        XCTAssertEqual(ids(SemanticAnalyzer.analyze(modelFile([.flatten, conv(3, 4)]))), ["sema.needs-spatial-input"])
    }

    func testSpatialUnderflowNamesLayerInputAndResult() throws {
        let result = SemanticAnalyzer.analyze(modelFile(input: (4, 4, 3), [maxpool(2), maxpool(2), maxpool(2)]))
        let d = try XCTUnwrap(result.diagnostics.first)
        XCTAssertEqual(d.id, "sema.spatial-underflow")
        XCTAssertTrue(d.message.contains("max_pooling2d_2"), d.message)
        XCTAssertTrue(d.message.contains("1x1x3"), d.message)
        XCTAssertTrue(d.message.contains("0x0x3"), d.message)
        XCTAssertEqual(d.range, SourceRange(18, 23))  // the third layer
    }

    func testValidConvLargerThanInput() {
        let result = SemanticAnalyzer.analyze(modelFile(input: (2, 2, 1), [conv(3, 4, padding: .valid)]))
        XCTAssertEqual(ids(result), ["sema.spatial-underflow"])
    }

    func testElementCountOverflow() {
        let huge = SemanticAnalyzer.analyze(modelFile(input: (100_000, 100_000, 3), [.flatten]))
        XCTAssertEqual(ids(huge), ["sema.shape-too-large"])
        let layer = SemanticAnalyzer.analyze(modelFile(input: (30_000, 30_000, 1), [conv(1, 8)]))
        XCTAssertEqual(ids(layer), ["sema.shape-too-large"])
        XCTAssertNil(layer.model)
    }

    func testSoftmaxBeforeTheLastLayerIsAWarning() throws {
        let result = SemanticAnalyzer.analyze(modelFile([conv(3, 8, .softmax), .globalAveragePool, dense(5, .softmax)]))
        XCTAssertEqual(ids(result), ["sema.softmax-not-last"])
        XCTAssertEqual(result.diagnostics[0].severity, .warning)
        XCTAssertNotNil(result.model, "warnings do not stop the model")
    }

    func testNoCascadeAfterAParseError() {
        // A parse error at offset 7 (inside the first layer's line) cuts checking there: the
        // dense-on-rank-3 problem that only exists because a layer was dropped is not reported.
        let parseError = Diagnostic.error("parse.x", "bad", at: SourceRange(7, 8))
        let result = SemanticAnalyzer.analyze(modelFile([conv(3, 8), dense(5)]), parseDiagnostics: [parseError])
        XCTAssertEqual(ids(result), [])
        XCTAssertNil(result.model)
    }

    func testTrainSettingsResolveDataAgainstTheModelFolder() {
        var file = modelFile([.globalAveragePool, dense(5, .softmax)])
        file.train = TrainBlock(range: SourceRange(0, 1), data: Spanned("../data/flowers", SourceRange(0, 1)),
                                batch: Spanned(16, SourceRange(0, 1)))
        let model = SemanticAnalyzer.analyze(file, modelDirectory: "samples").model
        XCTAssertEqual(model?.train.dataPath, "samples/../data/flowers")
        XCTAssertEqual(model?.train.batch, 16)
        XCTAssertEqual(model?.train.epochs, 20)
    }
}
