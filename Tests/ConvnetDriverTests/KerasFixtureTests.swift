import ConvnetCPU
import ConvnetIR
import ConvnetSema
import ConvnetSyntax
import Foundation
import XCTest
@testable import ConvnetDriver

/// Compares convnetc with Keras itself, through fixtures made offline by
/// `scripts/keras_fixtures.py` (TensorFlow 2.21 / Keras 3); the tests never need TensorFlow.
final class KerasFixtureTests: XCTestCase {
    private func fixture(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: TestPaths.goldenDir).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/" + name)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Every sample, layer by layer: Keras' name, class, output shape and parameter count.
    func testEverySampleMatchesKerasLayerByLayer() throws {
        let keras = try fixture("keras_summaries.json")
        XCTAssertEqual(keras.count, 9)
        for (file, value) in keras {
            let expected = try XCTUnwrap(value as? [String: Any])
            let model = try XCTUnwrap(Frontend.check(path: TestPaths.sample(file)).model, file)
            let layers = try XCTUnwrap(expected["layers"] as? [[String: Any]])
            XCTAssertEqual(model.layers.count, layers.count, file)
            for (ours, theirs) in zip(model.layers, layers) {
                XCTAssertEqual(ours.name, theirs["name"] as? String, file)
                XCTAssertEqual(ours.kerasType, theirs["type"] as? String, file)
                XCTAssertEqual(ours.outputShape.dims, theirs["output_shape"] as? [Int], "\(file) \(ours.name)")
                XCTAssertEqual(ours.params, theirs["params"] as? Int, "\(file) \(ours.name)")
            }
            XCTAssertEqual(model.totalParams, expected["total_params"] as? Int, file)
        }
    }

    /// The probabilities Keras computes for a fixed small model, weights and two images.
    func testInferenceMatchesKerasProbabilities() throws {
        try checkProbabilities(with: ReferenceCompiler())
    }

    /// The same through the optimizer's pipeline and the fp32 kernels on OpenBLAS.
    func testCPUTargetMatchesKerasProbabilities() throws {
        try checkProbabilities(with: CPUCompiler())
    }

    func checkProbabilities(with compiler: some ProgramCompiler) throws {
        let fx = try fixture("keras_numerics.json")
        let source = SourceFile(path: "keras_numerics.convnet", text: try XCTUnwrap(fx["model"] as? String))
        let result = Frontend.check(source: source)
        let model = try XCTUnwrap(result.model, "\(result.diagnostics)")
        let exe = try compiler.compile(try IRBuilder.inference(model, batch: 2))
        let weights = try XCTUnwrap(fx["weights"] as? [String: [String: Any]])
        XCTAssertEqual(Set(weights.keys), Set(exe.program.parameters.map(\.name)), "Keras names every weight as we do")
        for p in exe.program.parameters {
            let w = try XCTUnwrap(weights[p.name])
            XCTAssertEqual(w["shape"] as? [Int], p.shape, "\(p.name): Keras layout")
            let values = try XCTUnwrap(w["values"] as? [Double]).map { Float($0) }
            _ = exe.floats(input: p.name).update(fromContentsOf: values)
        }
        let images = try XCTUnwrap(fx["images"] as? [[Double]]).flatMap { $0.map { Float($0) } }
        _ = exe.floats(input: IRProgram.Names.images).update(fromContentsOf: images)
        try exe.run()
        let expected = try XCTUnwrap(fx["probabilities"] as? [[Double]]).flatMap { $0 }
        let ours = Array(exe.floats(output: IRProgram.Names.probabilities))
        XCTAssertEqual(ours.count, expected.count)
        for (a, b) in zip(ours, expected) {
            XCTAssertEqual(Double(a), b, accuracy: 1e-4, "\(compiler.name): \(ours) vs Keras \(expected)")
        }
    }
}
