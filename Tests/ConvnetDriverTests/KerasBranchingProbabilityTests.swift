import ConvnetCPU
import ConvnetIR
import ConvnetInterface
import ConvnetSema
import ConvnetSyntax
import Foundation
import XCTest
@testable import ConvnetDriver
@testable import ConvnetTraining

/// A branching model (fire module, residual, separable and depthwise convolutions, five batch
/// normalizations) trained a few steps in Keras: convnetc predicts, from Keras' own weight
/// files, the probabilities Keras' `predict` gave on four images. Made offline by
/// `scripts/make_branching_probability_fixture.py` (no TensorFlow needed here); the native
/// target's check is in `NativeEndToEndTests` (it builds a binary).
final class KerasBranchingProbabilityTests: XCTestCase {
    static let folder = TestPaths.repoRoot + "/Tests/ConvnetDriverTests/Fixtures/keras_branching/"
    /// The bound on a trained model's probabilities against Keras'.
    static let tolerance = 1e-3

    struct Fixture {
        var model: CheckedModel
        var images: [String]
        var probabilities: [[Double]]
        var weightNames: [String]
    }

    static func fixture() throws -> Fixture {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "branching.json"))) as? [String: Any])
        let text = try String(contentsOfFile: folder + "branching.convnet", encoding: .utf8)
        XCTAssertEqual(text, json["model"] as? String, "branching.convnet is the model Keras trained")
        let result = Frontend.check(source: SourceFile(path: folder + "branching.convnet", text: text), inputFlag: nil)
        return Fixture(model: try XCTUnwrap(result.model, "\(result.diagnostics)"),
                       images: try XCTUnwrap(json["images"] as? [String]).map { folder + $0 },
                       probabilities: try XCTUnwrap(json["probabilities"] as? [[Double]]),
                       weightNames: try XCTUnwrap(json["weights"] as? [String]))
    }

    func testCPUTargetPredictsWhatKerasPredicted() throws {
        let fx = try Self.fixture()
        XCTAssertEqual(IRBuilder.parameters(of: fx.model).map(\.name).sorted(), fx.weightNames, "Keras names every weight as we do")
        // The probabilities are neither one-hot nor uniform, so matching them checks the numbers.
        let spread = fx.probabilities.flatMap { $0 }
        XCTAssertLessThan(try XCTUnwrap(spread.max()), 0.9)
        XCTAssertGreaterThan(try XCTUnwrap(spread.max()), 0.45)
        for file in ["branching.weights.h5", "branching.safetensors"] {
            let url = URL(fileURLWithPath: Self.folder + file)
            for compiler in [CPUCompiler(), ReferenceCompiler()] as [any ProgramCompiler] {
                let report = try Predictor.predict(weights: url, model: ModelDescription(fx.model), images: fx.images,
                                                   compiler: compiler.compiling(fx.model))
                XCTAssertEqual(report.predictions.count, fx.probabilities.count)
                for (ours, theirs) in zip(report.predictions, fx.probabilities) {
                    XCTAssertEqual(ours.probabilities.count, theirs.count)
                    for (a, b) in zip(ours.probabilities, theirs) {
                        XCTAssertEqual(Double(a), b, accuracy: Self.tolerance, "\(file) on \(compiler.name)")
                    }
                }
            }
        }
    }

    /// The command line on the same files: `convnetc predict --weights W MODEL IMAGE... --format json`.
    func testPredictCommandMatchesKeras() throws {
        let fx = try Self.fixture()
        let r = try runConvnetc(["predict", "--weights", Self.folder + "branching.weights.h5", Self.folder + "branching.convnet",
                                 "--format", "json", "--target", "cpu"] + fx.images)
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let predictions = try XCTUnwrap(json["predictions"] as? [[String: Any]])
        XCTAssertEqual(predictions.count, 4)
        for (p, theirs) in zip(predictions, fx.probabilities) {
            for (a, b) in zip(try XCTUnwrap(p["probabilities"] as? [Double]), theirs) { XCTAssertEqual(a, b, accuracy: Self.tolerance) }
        }
    }
}
