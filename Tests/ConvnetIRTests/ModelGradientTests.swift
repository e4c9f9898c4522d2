import ConvnetTestSupport
import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// Whole training programs: the gradient the step applies equals finite differences of its loss.
/// With plain SGD at learning rate 1, the step writes p - g, so g = p - p_new exactly.
final class ModelGradientTests: XCTestCase {
    func checkModel(_ m: CheckedModel, labels: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
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
