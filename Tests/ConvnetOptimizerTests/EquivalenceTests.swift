import XCTest
import ConvnetIR
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetOptimizer

/// Fused, lowered and tiled graphs compute what the builder's graph computes, on the reference
/// interpreter (in Double, so only summation order can differ), for models using every layer.
final class EquivalenceTests: XCTestCase {
    /// conv same/valid/stride 2, batch norm, linear conv, maxpool, gap, dense, dropout.
    static let gapModel = """
    input 12x12x3
    conv 3x3x4 relu
    conv 3x3x6 stride 2 padding valid tanh
    batchnorm
    conv 3x3x5
    maxpool 2
    gap
    dense 6 sigmoid
    dropout 0.3
    dense 3 softmax
    """

    /// avgpool, flatten, and a dense layer fed by a flatten.
    static let flattenModel = """
    input 9x9x2
    conv 3x3x4 relu
    avgpool 2 stride 1
    conv 1x1x3 relu
    flatten
    dense 5 relu
    dense 3 softmax
    """

    /// Runs `program` and its graph after every pass; compares every output.
    func checkEveryPass(_ program: IRProgram, file: StaticString = #filePath, line: UInt = #line) throws {
        for target in TargetCapabilities.all {
            try checkEveryPass(program, target: target, file: file, line: line)
        }
    }

    /// The same for one target's pipeline.
    func checkEveryPass(_ program: IRProgram, target: TargetCapabilities, file: StaticString, line: UInt) throws {
        let optimized = try Pipeline.optimize(program, for: target, recordEveryPass: true)
        XCTAssertEqual(optimized.passLog.map(\.pass),
                       ["simplify", "fusion", "simplify", "kernels"] + (target.matmulsOnMXU ? ["lowering", "tiling"] : []),
                       file: file, line: line)
        let inputs = randomInputs(program)
        let interpreter = Interpreter<Double>()
        let expected = try interpreter.run(program.graph, inputs: inputs)
        XCTAssertEqual(expected.count, program.graph.outputs.count, file: file, line: line)
        for (pass, graph) in optimized.passLog {
            XCTAssertEqual(verifierMessages(graph), [], "after \(pass)", file: file, line: line)
            XCTAssertEqual(graph.inputs.map(\.name), program.graph.inputs.map(\.name), file: file, line: line)
            let actual = try interpreter.run(graph, inputs: inputs)
            for (name, e) in expected {
                let a = try XCTUnwrap(actual[name], "\(name) after \(pass)", file: file, line: line)
                XCTAssertEqual(a.shape, e.shape, file: file, line: line)
                let scale = e.scalars.map(abs).max() ?? 1
                let worst = zip(a.scalars, e.scalars).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 1e-9 * max(1, scale), "\(name) after \(pass)", file: file, line: line)
            }
        }
    }

    func testGapModelInference() throws {
        try checkEveryPass(try IRBuilder.inference(try checkedModel(Self.gapModel), batch: 2))
    }

    func testGapModelAdamTrainingStep() throws {
        let program = try IRBuilder.trainingStep(try checkedModel(Self.gapModel), batch: 2,
                                                 optimizer: .adam(learningRate: 0.01))
        try checkEveryPass(program)
    }

    func testFlattenModelInference() throws {
        try checkEveryPass(try IRBuilder.inference(try checkedModel(Self.flattenModel), batch: 3))
    }

    func testFlattenModelMomentumTrainingStep() throws {
        let program = try IRBuilder.trainingStep(try checkedModel(Self.flattenModel), batch: 3,
                                                 optimizer: .sgd(learningRate: 0.1, momentum: 0.9))
        try checkEveryPass(program)
    }

    /// The comparison is able to fail: swapping relu for tanh inside the first fused conv of
    /// the optimized graph is caught.
    func testCorruptedFusionIsDetected() throws {
        let program = try IRBuilder.trainingStep(try checkedModel(Self.flattenModel), batch: 3,
                                                 optimizer: .sgd(learningRate: 0.1, momentum: 0))
        var graph = try Pipeline.optimize(program, for: .tpu).graph
        let i = try XCTUnwrap(graph.instructions.firstIndex { $0.op.mnemonic == "fusion.conv_bias_relu" })
        guard case .fusion(let kind, var body) = graph.instructions[i].op else { return XCTFail("not a fusion") }
        let j = try XCTUnwrap(body.instructions.firstIndex { $0.op == .activation(.relu) })
        body.instructions[j].op = .activation(.tanh)
        graph.instructions[i].op = .fusion(kind: kind, body: body)
        XCTAssertEqual(verifierMessages(graph), [])
        let inputs = randomInputs(program)
        let expected = try Interpreter<Double>().run(program.graph, inputs: inputs)
        let actual = try Interpreter<Double>().run(graph, inputs: inputs)
        let worst = expected.keys.map { k in
            zip(expected[k]!.scalars, actual[k]!.scalars).map { abs($0 - $1) }.max() ?? 0
        }.max() ?? 0
        XCTAssertGreaterThan(worst, 1e-3)
    }
}
