import ConvnetSema
import XCTest
@testable import ConvnetDriver

/// Every sample's totals equal the figures Keras computes (references.md §1).
final class SampleModelTests: XCTestCase {
    let expectedTotals: [String: Int] = [
        "dense.convnet": 55_321_805,
        "first-convnet.convnet": 78_263,
        "filters32.convnet": 43_389,
        "codelab-text.convnet": 300_033,
        "flowers.convnet": 293_233,
        "playground-overfit.convnet": 856_323,
        "playground-gap.convnet": 50_273,
        "flowers-best.convnet": 268_453,  // ours; the figure Keras computes (keras_summaries.json)
    ]

    func testSampleTotalsMatchKeras() throws {
        for (name, total) in expectedTotals {
            let result = Frontend.check(path: TestPaths.sample(name))
            XCTAssertFalse(result.hasErrors, "\(name): \(result.diagnostics)")
            XCTAssertEqual(result.model?.totalParams, total, name)
        }
    }

    func testOneLineModelIsComplete() throws {
        let result = Frontend.check(path: TestPaths.sample("one-line.convnet"))
        let model = try XCTUnwrap(result.model)
        XCTAssertEqual(model.layers.map(\.name), ["conv2d", "max_pooling2d", "global_average_pooling2d", "dense"])
        XCTAssertEqual(model.inputSource, .defaultShape)
        XCTAssertEqual(model.totalParams, 896 + 165)
    }

    func testFlowersJSONLayerByLayer() throws {
        let r = try runConvnetc(["summary", "--format", "json", "samples/flowers.convnet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["input"] as? [Int], [192, 192, 3])
        XCTAssertEqual(json["total_params"] as? Int, 293_233)
        XCTAssertEqual(json["trainable_params"] as? Int, 293_233)
        XCTAssertEqual(json["non_trainable_params"] as? Int, 0)
        let layers = try XCTUnwrap(json["layers"] as? [[String: Any]])
        let expected: [(String, String, [Int], Int)] = [
            ("conv2d", "Conv2D", [192, 192, 16], 448), ("conv2d_1", "Conv2D", [192, 192, 30], 4350),
            ("max_pooling2d", "MaxPooling2D", [96, 96, 30], 0), ("conv2d_2", "Conv2D", [96, 96, 60], 16260),
            ("max_pooling2d_1", "MaxPooling2D", [48, 48, 60], 0), ("conv2d_3", "Conv2D", [48, 48, 90], 48690),
            ("max_pooling2d_2", "MaxPooling2D", [24, 24, 90], 0), ("conv2d_4", "Conv2D", [24, 24, 110], 89210),
            ("max_pooling2d_3", "MaxPooling2D", [12, 12, 110], 0), ("conv2d_5", "Conv2D", [12, 12, 130], 128830),
            ("conv2d_6", "Conv2D", [12, 12, 40], 5240),
            ("global_average_pooling2d", "GlobalAveragePooling2D", [40], 0), ("dense", "Dense", [5], 205),
        ]
        XCTAssertEqual(layers.count, expected.count)
        for (layer, (name, type, shape, params)) in zip(layers, expected) {
            XCTAssertEqual(layer["name"] as? String, name)
            XCTAssertEqual(layer["type"] as? String, type)
            XCTAssertEqual(layer["output_shape"] as? [Int], shape, name)
            XCTAssertEqual(layer["params"] as? Int, params, name)
            XCTAssertNotNil(layer["macs"] as? Int)
        }
        XCTAssertEqual(json["total_macs"] as? Int, layers.reduce(0) { $0 + ($1["macs"] as! Int) })
    }
}
