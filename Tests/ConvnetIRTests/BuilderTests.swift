import ConvnetTestSupport
import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// The inference and training programs of small models: shapes, names, printing.
final class BuilderTests: XCTestCase {
    func testInferenceProgramPrints() throws {
        let program = try IRBuilder.inference(smallModel(), batch: 2)
        XCTAssertEqual(Verifier.verify(program.graph).map(\.message), [])
        XCTAssertEqual(Printer().print(program.graph), """
        %conv2d.kernel = parameter : f32[3,3,3,4]  # conv2d
        %conv2d.bias = parameter : f32[4]  # conv2d
        %conv2d_1.kernel = parameter : f32[3,3,4,5]  # conv2d_1
        %conv2d_1.bias = parameter : f32[5]  # conv2d_1
        %dense.kernel = parameter : f32[5,3]  # dense
        %dense.bias = parameter : f32[3]  # dense
        %images = input : f32[2,8,8,3]
        %7 = conv2d(%images, %conv2d.kernel) window=3x3 stride=1 pad=same : f32[2,8,8,4]  # conv2d
        %8 = bias_add(%7, %conv2d.bias) : f32[2,8,8,4]  # conv2d
        %9 = relu(%8) : f32[2,8,8,4]  # conv2d
        %10 = max_pool(%9) window=2x2 stride=2 : f32[2,4,4,4]  # max_pooling2d
        %11 = conv2d(%10, %conv2d_1.kernel) window=3x3 stride=1 pad=same : f32[2,4,4,5]  # conv2d_1
        %12 = bias_add(%11, %conv2d_1.bias) : f32[2,4,4,5]  # conv2d_1
        %13 = mean_hw(%12) : f32[2,5]  # global_average_pooling2d
        %14 = matmul(%13, %dense.kernel) : f32[2,3]  # dense
        %15 = bias_add(%14, %dense.bias) : f32[2,3]  # dense
        %16 = softmax(%15) : f32[2,3]  # dense
        return probabilities=%16

        """)
    }

    func testTrainingProgramShapesAndOutputs() throws {
        let m = smallModel()
        let program = try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.001))
        let g = program.graph
        XCTAssertEqual(Verifier.verify(g).map(\.message), [])
        let names = program.parameters.map(\.name)
        XCTAssertEqual(names, ["conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias", "dense/kernel", "dense/bias"])
        XCTAssertEqual(program.optimizerSlots.count, 12)
        XCTAssertEqual(g.outputs.map(\.name), names + program.optimizerSlots.map(\.name) + ["loss", "correct"])
        // Each updated tensor has its input's type, so a trainer can feed it back.
        for out in g.outputs.dropLast(2) {
            XCTAssertEqual(g.typeOf(out.value), g.input(named: out.name)?.type, out.name)
        }
        XCTAssertEqual(g.typeOf(g.output(named: "loss")!), .scalar)
        XCTAssertEqual(g.input(named: "labels")?.type, .i32([2]))
        XCTAssertNil(g.input(named: "dropout_seed"), "no dropout layer, no seed")
        let ops = g.instructions.map(\.op.mnemonic)
        // Images need no gradient: only the second conv computes an input gradient.
        XCTAssertEqual(ops.filter { $0 == "conv2d_input_grad" }.count, 1)
        XCTAssertEqual(ops.filter { $0 == "conv2d_filter_grad" }.count, 2)
        XCTAssertFalse(ops.contains("softmax"), "training uses softmax_xent on the logits")
        let text = Printer().print(g)
        XCTAssertTrue(text.contains("= conv2d_filter_grad(%images, "), text)
        XCTAssertTrue(text.contains("= softmax_xent(%30, %labels) : f32[]  # loss"), text)
        XCTAssertTrue(text.contains("window=3x3 stride=1 pad=same : f32[3,3,4,5]  # conv2d_1\n"), text)
    }

    func testParametersFollowKeras() {
        let params = IRBuilder.parameters(of: otherLayersModel())
        XCTAssertEqual(params.map(\.name), [
            "conv2d/kernel", "conv2d/bias",
            "batch_normalization/gamma", "batch_normalization/beta",
            "batch_normalization/moving_mean", "batch_normalization/moving_variance",
            "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias",
        ])
        XCTAssertEqual(params[0].shape, [3, 3, 3, 4])
        XCTAssertEqual(params[0].initializer, .glorotUniform(fanIn: 27, fanOut: 36))
        XCTAssertEqual(params[0].initializer.limit, (6.0 / 63).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(params[6].shape, [16, 5], "3x3 valid stride 2 -> 3x3x4, pool 2/1 -> 2x2x4, flatten 16")
        XCTAssertEqual(params[6].initializer, .glorotUniform(fanIn: 16, fanOut: 5))
        XCTAssertEqual(params.map(\.trainable), [true, true, true, true, false, false, true, true, true, true])
        XCTAssertEqual(params[2...5].map(\.initializer), [.ones, .zeros, .zeros, .ones])
        XCTAssertEqual(params.reduce(0) { $0 + $1.elementCount }, otherLayersModel().totalParams)
    }

    func testInferenceUsesMovingStatisticsAndNoDropout() throws {
        let g = try IRBuilder.inference(otherLayersModel(), batch: 3).graph
        XCTAssertEqual(Verifier.verify(g).map(\.message), [])
        let ops = g.instructions.map(\.op.mnemonic)
        XCTAssertTrue(ops.contains("batch_norm_inference"))
        XCTAssertFalse(ops.contains("dropout"))
        XCTAssertFalse(ops.contains("batch_norm_training"))
        XCTAssertEqual(g.typeOf(g.output(named: "probabilities")!), .f32([3, 3]))
        XCTAssertEqual(g.input(named: "batch_normalization/moving_mean")?.op, .input(.state))
    }

    func testTrainingUpdatesMovingStatisticsLikeKeras() throws {
        let m = otherLayersModel()
        let program = try IRBuilder.trainingStep(m, batch: 3, optimizer: .sgd(learningRate: 0.1, momentum: 0))
        let g = program.graph
        XCTAssertEqual(Verifier.verify(g).map(\.message), [])
        XCTAssertNotNil(g.input(named: "dropout_seed"))
        var inputs: [String: Tensor<Double>] = initialValues(program)
        var rng = TestRandom(seed: 3)
        inputs["batch_normalization/moving_mean"] = Tensor(shape: [4], scalars: [0.5, -0.5, 1, 0])
        inputs["images"] = Tensor(shape: [3, 8, 8, 3], scalars: rng.values(3 * 192, -1, 1))
        inputs["labels"] = Tensor(labels: [0, 1, 2])
        inputs["step"] = Tensor(scalar: 1)
        inputs["learning_rate"] = Tensor(scalar: 0.1)
        inputs["dropout_seed"] = Tensor(.i32, shape: [], scalars: [9])
        let values = try Interpreter<Double>().evaluate(g, inputs: inputs)
        let bnInput = g.instructions.first { $0.op.mnemonic == "batch_norm_training" }!.operands[0]
        let mean = ReferenceKernels.batchMean(values[bnInput]!).scalars
        let variance = ReferenceKernels.batchVariance(values[bnInput]!).scalars
        let newMean = values[g.output(named: "batch_normalization/moving_mean")!]!.scalars
        let newVariance = values[g.output(named: "batch_normalization/moving_variance")!]!.scalars
        for c in 0..<4 {
            XCTAssertEqual(newMean[c], 0.99 * [0.5, -0.5, 1, 0][c] + 0.01 * mean[c], accuracy: 1e-12)
            XCTAssertEqual(newVariance[c], 0.99 + 0.01 * variance[c], accuracy: 1e-12)
        }
    }
}

final class BuilderErrorTests: XCTestCase {
    func testTrainingNeedsRankTwoHead() {
        let m = model(.spatial(4, 4, 3), [.conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 2))])
        XCTAssertThrowsError(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.001))) {
            XCTAssertTrue("\($0)".contains("f32[2,4,4,2]"), "\($0)")
        }
        XCTAssertEqual(Verifier.verify(try IRBuilder.inference(m, batch: 2).graph).count, 0)
    }
}
