import ConvnetTestSupport
import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// Whole training programs: the gradient the step applies equals finite differences of its loss.
/// With plain SGD at learning rate 1, the step writes p - g, so g = p - p_new exactly.
final class ModelGradientTests: XCTestCase {
    func checkModel(_ m: CheckedModel, labels: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        try Self.check(m, labels: labels, file: file, line: line)
    }

    static func check(_ m: CheckedModel, labels: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let batch = labels.count
        let program = try IRBuilder.trainingStep(m, batch: batch, optimizer: .sgd(learningRate: 1, momentum: 0))
        XCTAssertEqual(Verifier.verify(program.graph).map(\.message), [], file: file, line: line)
        var rng = TestRandom(seed: 5)
        var inputs: [String: Tensor<Double>] = initialValues(program)
        // Non-trivial batch-norm and biases so every path carries signal.
        for p in program.parameters where p.trainable && p.initializer.limit == 0 {
            inputs[p.name] = Tensor(shape: p.shape, scalars: rng.values(p.elementCount, 0.2, 0.6))
        }
        inputs[IRProgram.Names.images] = Tensor(shape: [batch] + m.inputShape.dims,
                                                scalars: rng.values(batch * m.inputShape.elementCount!, -1, 1))
        inputs[IRProgram.Names.labels] = Tensor(labels: labels)
        inputs[IRProgram.Names.step] = Tensor(scalar: 1)
        inputs[IRProgram.Names.learningRate] = Tensor(scalar: 1)
        if program.graph.input(named: IRProgram.Names.dropoutSeed) != nil {
            inputs[IRProgram.Names.dropoutSeed] = Tensor(.i32, shape: [], scalars: [17])
        }
        let interpreter = Interpreter<Double>()
        let out = try interpreter.run(program.graph, inputs: inputs)
        var lossOnly = program.graph
        lossOnly.outputs = [GraphOutput(name: "loss", value: program.graph.output(named: "loss")!)]
        let h = 1e-6
        var checked = 0
        for p in program.parameters where p.trainable {
            let before = inputs[p.name]!
            let analytic = zip(before.scalars, out[p.name]!.scalars).map { $0 - $1 }
            // Every element of small tensors, a spread of elements of big ones.
            let picks = Array(stride(from: 0, to: p.elementCount, by: max(1, p.elementCount / 12)))
            for i in picks {
                var plus = before, minus = before
                plus.scalars[i] += h
                minus.scalars[i] -= h
                inputs[p.name] = plus
                let lp = try interpreter.run(lossOnly, inputs: inputs)["loss"]!.scalar
                inputs[p.name] = minus
                let lm = try interpreter.run(lossOnly, inputs: inputs)["loss"]!.scalar
                let numeric = (lp - lm) / (2 * h)
                XCTAssertEqual(analytic[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)),
                               "d loss / d \(p.name)[\(i)]", file: file, line: line)
                checked += 1
            }
            inputs[p.name] = before
        }
        XCTAssertGreaterThan(checked, 20, file: file, line: line)
    }

    func testSmallModelGradientMatchesFiniteDifferences() throws {
        try checkModel(smallModel(), labels: [2, 0])
    }

    func testBatchNormDropoutModelGradientMatchesFiniteDifferences() throws {
        try checkModel(otherLayersModel(), labels: [1, 2, 0])
    }
}

/// Graph models: a residual (fan-out: autodiff sums the adjoints of a value read twice), an add
/// of branches, a standalone activation and a convolution without bias.
final class GraphModelGradientTests: XCTestCase {
    static func graphModel() throws -> CheckedModel {
        let text = """
        input 6x6x2
        conv 3x3x3 tanh
        residual { conv 3x3x3 bias off; batchnorm momentum 0.9 }
        activation sigmoid
        add { branch { conv 1x1x3 relu }; branch { }; branch { maxpool 1; conv 3x3x3 relu; conv 3x3x3 } }
        gap
        dense 3 softmax
        """
        let parsed = Parser.parse(SourceFile(path: "graph.convnet", text: text))
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
        return try XCTUnwrap(sema.model, "\(parsed.diagnostics + sema.diagnostics)")
    }

    func testResidualAndAddGradientsMatchFiniteDifferences() throws {
        try ModelGradientTests.check(Self.graphModel(), labels: [1, 2])
    }

    func testNodesReadTheirInputs() throws {
        let m = try Self.graphModel()
        let g = try IRBuilder.inference(m, batch: 1).graph
        // conv2d (no bias) has no bias_add; the residual's add reads the BN output and the first conv's activation.
        let convNoBias = g.instructions.filter { $0.layer == "conv2d_1" }.map(\.op.mnemonic)
        XCTAssertFalse(convNoBias.contains("bias_add"), "\(convNoBias)")
        XCTAssertEqual(IRBuilder.parameters(of: m).filter { $0.layer == "conv2d_1" }.map(\.name), ["conv2d_1/kernel"])
        let adds = g.instructions.filter { $0.layer == "add" }
        XCTAssertEqual(adds.count, 1)
        let momentum = try IRBuilder.trainingStep(m, batch: 2, optimizer: .sgd(learningRate: 1, momentum: 0)).graph
        XCTAssertTrue(momentum.instructions.contains { $0.layer == "batch_normalization" && $0.op == .constant(0.9) })
    }

    /// Pools with `padding same` (a 2/2 pool over an even size, which needs no padding and is
    /// built `valid`; Xception's 3/2 max pool, padded after; a 3/1 average pool, padded on both
    /// sides): the IR's shapes are Keras' and the step's gradients are finite differences of
    /// its loss.
    func testSamePaddingPoolsLowerWithKerasShapesAndCheckedGradients() throws {
        let text = """
        input 8x8x2
        conv 3x3x3 tanh
        maxpool 2 padding same
        conv 1x1x3 tanh
        maxpool 3 stride 2 padding same
        avgpool 3 stride 1 padding same
        gap
        dense 2 softmax
        """
        let parsed = Parser.parse(SourceFile(path: "same.convnet", text: text))
        let m = try XCTUnwrap(SemanticAnalyzer.analyze(parsed.file).model)
        let g = try IRBuilder.inference(m, batch: 1).graph
        let pools = g.instructions.filter { $0.op.mnemonic.hasSuffix("_pool") }
        XCTAssertEqual(pools.map { "\($0.op.mnemonic) \($0.op.printedAttributes) \($0.type.shape)" },
                       ["max_pool window=2x2 stride=2 [1, 4, 4, 3]",
                        "max_pool window=3x3 stride=2 pad=same [1, 2, 2, 3]",
                        "avg_pool window=3x3 stride=1 pad=same [1, 2, 2, 3]"])
        XCTAssertEqual(pools.map { Array($0.type.shape.dropFirst()) }, m.layers.filter { $0.name.hasPrefix("max_pooling") || $0.name.hasPrefix("average_pooling") }.map(\.outputShape.dims))
        try ModelGradientTests.check(m, labels: [1, 0])
    }

    /// Concat (with an identity branch), depthwise and separable convolutions in one model.
    func testConcatDepthwiseAndSeparableGradientsMatchFiniteDifferences() throws {
        let text = """
        input 6x6x2
        conv 3x3x3 tanh
        concat { branch { dwconv 3x3 multiplier 2 tanh }; branch { }; branch { sepconv 3x3x2 stride 1 multiplier 2 relu } }
        dwconv 3x3 stride 2
        batchnorm momentum 0.8
        gap
        dense 3 softmax
        """
        let parsed = Parser.parse(SourceFile(path: "graph2.convnet", text: text))
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
        let m = try XCTUnwrap(sema.model, "\(parsed.diagnostics + sema.diagnostics)")
        XCTAssertEqual(IRBuilder.parameters(of: m).filter { $0.layer == "separable_conv2d" }.map(\.shape),
                       [[3, 3, 3, 2], [1, 1, 6, 2], [2]])
        XCTAssertEqual(IRBuilder.parameters(of: m).reduce(0) { $0 + $1.elementCount }, m.totalParams)
        try ModelGradientTests.check(m, labels: [0, 2])
    }
}
