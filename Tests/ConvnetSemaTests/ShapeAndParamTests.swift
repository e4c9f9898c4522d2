import ConvnetSyntax
import XCTest
@testable import ConvnetSema

final class ShapeAndParamTests: XCTestCase {
    func testSolutionNotebookMatchesKerasLayerByLayer() throws {
        let model = try XCTUnwrap(SemanticAnalyzer.analyze(modelFile(solutionNotebook)).model)
        // references.md §1: per-layer output shape and params of the solution notebook.
        let expected: [(String, [Int], Int)] = [
            ("conv2d", [192, 192, 16], 448), ("conv2d_1", [192, 192, 30], 4350),
            ("max_pooling2d", [96, 96, 30], 0), ("conv2d_2", [96, 96, 60], 16260),
            ("max_pooling2d_1", [48, 48, 60], 0), ("conv2d_3", [48, 48, 90], 48690),
            ("max_pooling2d_2", [24, 24, 90], 0), ("conv2d_4", [24, 24, 110], 89210),
            ("max_pooling2d_3", [12, 12, 110], 0), ("conv2d_5", [12, 12, 130], 128830),
            ("conv2d_6", [12, 12, 40], 5240), ("global_average_pooling2d", [40], 0), ("dense", [5], 205),
        ]
        XCTAssertEqual(model.layers.count, expected.count)
        for (layer, (name, shape, params)) in zip(model.layers, expected) {
            XCTAssertEqual(layer.name, name)
            XCTAssertEqual(layer.outputShape.dims, shape, name)
            XCTAssertEqual(layer.params, params, name)
        }
        XCTAssertEqual(model.totalParams, 293_233)
        XCTAssertEqual(model.nonTrainableParams, 0)
    }

    func testCodelabTotals() throws {
        let cases: [(String, [LayerKind], Int)] = [
            ("dense", [.flatten, dense(500), dense(50), dense(5, .softmax)], 55_321_805),
            ("first convnet", [conv(3, 24), conv(3, 24), maxpool(2), conv(3, 12), maxpool(2), conv(3, 6),
                               .flatten, dense(5, .softmax)], 78_263),
            ("32-filter stack", Array(repeating: [conv(3, 32), conv(1, 32), maxpool(2)], count: 4).flatMap { $0 }
                + [conv(3, 16), conv(1, 8), .flatten, dense(5, .softmax)], 43_389),
            ("codelab text", [conv(3, 16), conv(3, 30), maxpool(2), conv(3, 60), maxpool(2), conv(3, 90),
                              maxpool(2), conv(3, 110), maxpool(2), conv(3, 130), .globalAveragePool,
                              dense(90), dense(5, .softmax)], 300_033),
            ("playground", [conv(3, 16), conv(3, 30), maxpool(2), conv(3, 50), maxpool(2), conv(3, 70),
                            .flatten, dense(5, .softmax)], 856_323),
            ("playground gap", [conv(3, 16), conv(3, 30), maxpool(2), conv(3, 50), maxpool(2), conv(3, 70),
                                .globalAveragePool, dense(5, .softmax)], 50_273),
        ]
        for (name, kinds, total) in cases {
            let result = SemanticAnalyzer.analyze(modelFile(kinds))
            XCTAssertEqual(result.model?.totalParams, total, name)
        }
    }

    func testMACsAndActivationBytes() throws {
        let model = try XCTUnwrap(SemanticAnalyzer.analyze(modelFile([conv(3, 16), .globalAveragePool, dense(5)])).model)
        XCTAssertEqual(model.layers[0].macs, 192 * 192 * 3 * 3 * 3 * 16)
        XCTAssertEqual(model.layers[0].activationBytes, 192 * 192 * 16 * 4)
        XCTAssertEqual(model.layers[2].macs, 16 * 5)
        XCTAssertEqual(model.totalMACs, 192 * 192 * 27 * 16 + 80)
    }

    func testStridesAndPaddingFollowKeras() throws {
        let model = try XCTUnwrap(SemanticAnalyzer.analyze(modelFile(input: (227, 227, 3), [
            conv(11, 96, stride: 4, padding: .valid),   // AlexNet conv1: floor((227-11)/4)+1 = 55
            conv(3, 8, stride: 2, padding: .same),      // ceil(55/2) = 28
            maxpool(3, stride: 2),                      // floor((28-3)/2)+1 = 13
            .avgPool(PoolDecl(size: 2)),                // floor(13/2) = 6
        ])).model)
        XCTAssertEqual(model.layers.map(\.outputShape.dims), [[55, 55, 96], [28, 28, 8], [13, 13, 8], [6, 6, 8]])
    }

    func testBatchNormHasHalfItsParamsNonTrainable() throws {
        let model = try XCTUnwrap(SemanticAnalyzer.analyze(modelFile([conv(3, 16), .batchNorm(BatchNormDecl()), .globalAveragePool, dense(5)])).model)
        XCTAssertEqual(model.layers[1].name, "batch_normalization")
        XCTAssertEqual(model.layers[1].params, 64)
        XCTAssertEqual(model.nonTrainableParams, 32)
        XCTAssertEqual(model.trainableParams, 448 + 32 + 85)
    }

    func testInputSourceAndDefault() throws {
        let none = try XCTUnwrap(SemanticAnalyzer.analyze(modelFile(input: nil, [.globalAveragePool])).model)
        XCTAssertEqual(none.inputSource, .defaultShape)
        XCTAssertEqual(none.inputShape.dims, [192, 192, 3])
        let flag = try XCTUnwrap(SemanticAnalyzer.analyze(modelFile(input: nil, [.globalAveragePool]),
                                                          inputFlag: .spatial(32, 32, 1)).model)
        XCTAssertEqual(flag.inputSource, .flag)
        XCTAssertEqual(flag.outputShape.dims, [1])
    }
}
