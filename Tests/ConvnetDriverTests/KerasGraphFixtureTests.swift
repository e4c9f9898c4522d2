import ConvnetSema
import ConvnetSyntax
import Foundation
import XCTest
@testable import ConvnetDriver

/// Branching models against Keras' functional API, through the fixture
/// `scripts/keras_graph_fixtures.py` made offline (TensorFlow 2.21 / Keras 3): random models with
/// merges, residuals, depthwise and separable convolutions and a block called twice, and the
/// three graph samples. Names, classes, inputs, shapes and parameter counts, layer by layer.
final class KerasGraphFixtureTests: XCTestCase {
    private func fixture() throws -> [String: Any] {
        let url = URL(fileURLWithPath: TestPaths.goldenDir).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/keras_graph_summaries.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Keras lists a functional model's layers in its own graph order, so layers are matched by
    /// name (Keras names them in creation order, which is the textual order convnetc follows).
    private func compare(_ model: CheckedModel, _ expected: [String: Any], _ what: String) throws {
        let layers = try XCTUnwrap(expected["layers"] as? [[String: Any]])
        XCTAssertEqual(model.layers.count, layers.count, what)
        let byName = Dictionary(layers.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(Set(model.layers.map(\.name)), Set(byName.keys), what)
        for ours in model.layers {
            let at = "\(what) \(ours.name)"
            guard let theirs = byName[ours.name] else { continue }
            XCTAssertEqual(ours.kerasType, theirs["type"] as? String, at)
            XCTAssertEqual(ours.inputs.map { model.name(of: $0) }, theirs["inputs"] as? [String], at)
            XCTAssertEqual(ours.outputShape.dims, theirs["output_shape"] as? [Int], at)
            XCTAssertEqual(ours.params, theirs["params"] as? Int, at)
            XCTAssertEqual(ours.trainableParams, theirs["trainable_params"] as? Int, at)
        }
        XCTAssertEqual(model.totalParams, expected["total_params"] as? Int, what)
        XCTAssertEqual(model.trainableParams, expected["trainable_params"] as? Int, what)
    }

    func testRandomBranchingModelsMatchKeras() throws {
        let models = try XCTUnwrap(try fixture()["models"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(models.count, 5)
        for entry in models {
            let text = try XCTUnwrap(entry["model"] as? String)
            let result = Frontend.check(source: SourceFile(path: "random.convnet", text: text))
            let model = try XCTUnwrap(result.model, "\(text)\n\(result.diagnostics.map(\.message))")
            try compare(model, entry, "seed \(entry["seed"] ?? "?")")
        }
    }

    func testGraphSamplesMatchKeras() throws {
        let samples = try XCTUnwrap(try fixture()["samples"] as? [String: [String: Any]])
        XCTAssertEqual(Set(samples.keys), ["squeezenet.convnet", "resnet-small.convnet", "xception-small.convnet"])
        for (file, expected) in samples {
            let model = try XCTUnwrap(Frontend.check(path: TestPaths.sample(file)).model, file)
            try compare(model, expected, file)
        }
        // The squeezenet notebook's figures (references.md §8).
        let squeezenet = try XCTUnwrap(Frontend.check(path: TestPaths.sample("squeezenet.convnet")).model)
        XCTAssertEqual(squeezenet.totalParams, 120_613)
        XCTAssertEqual(squeezenet.trainableParams, 119_301)
    }

    func testSummaryJSONGivesInputsAndConnectedTo() throws {
        let r = try runConvnetc(["summary", "--format", "json", "samples/squeezenet.convnet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let layers = try XCTUnwrap(json["layers"] as? [[String: Any]])
        XCTAssertEqual(layers[0]["inputs"] as? [String], ["input"])
        let concat = try XCTUnwrap(layers.first { $0["type"] as? String == "Concatenate" })
        XCTAssertEqual(concat["inputs"] as? [String], ["batch_normalization_2", "batch_normalization_3"])
        XCTAssertEqual(concat["called_from"] as? [Int], [18])
        let text = try runConvnetc(["summary", "samples/squeezenet.convnet"])
        XCTAssertTrue(text.stdout.contains("Connected to"))
        XCTAssertTrue(text.stdout.contains("batch_normalization_3[0][0]"))
        // A sequential model keeps Keras' Sequential table (no Connected to column).
        let flowers = try runConvnetc(["summary", "samples/flowers.convnet"])
        XCTAssertFalse(flowers.stdout.contains("Connected to"))
    }
}
