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

    func testLayersWithoutAnIROpAreACompileErrorNotACrash() throws {
        let parsed = Parser.parse(SourceFile(path: "c.convnet", text: "input 4x4x2\nconcat { branch { }; branch { conv 1x1x2 } }\ngap\ndense 2 softmax"))
        let m = try XCTUnwrap(SemanticAnalyzer.analyze(parsed.file).model)
        XCTAssertThrowsError(try IRBuilder.inference(m, batch: 1)) { error in
            XCTAssertTrue("\(error)".hasPrefix("c.convnet:2:1: concatenate"), "\(error)")
        }
    }
}
