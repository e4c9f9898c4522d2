import ConvnetCPU
import ConvnetIR
import ConvnetSyntax
import XCTest
@testable import ConvnetDriver

/// `--target cpu` runs the optimizer's output in the arena its buffer assignment lays out; every
/// output of a training step must still equal the reference interpreter on the builder's graph.
final class OptimizedCPUTests: XCTestCase {
    let model = """
        input 12x10x3
        conv 3x3x4 relu
        conv 3x3x5 stride 2 relu
        maxpool 2 stride 1
        conv 2x2x6 padding valid tanh
        avgpool 2
        batchnorm
        conv 1x1x4 sigmoid
        flatten
        dense 7 relu
        dropout 0.25
        dense 3 softmax
        """

    func testTrainingStepMatchesTheReference() throws {
        for optimizer in [OptimizerSetting.adam(learningRate: 0.01), .sgd(learningRate: 0.05, momentum: 0.9),
                          .sgd(learningRate: 0.05, momentum: 0.9, nesterov: true), .adamw(learningRate: 0.01, weightDecay: 0.1)] {
            let checked = try XCTUnwrap(Frontend.check(source: SourceFile(path: "m.convnet", text: model)).model)
            let program = try IRBuilder.trainingStep(checked, batch: 4, optimizer: optimizer)
            let cpu = try CPUCompiler().compile(program)
            let reference = ReferenceExecutable(program)
            var seed: UInt64 = 42
            func next() -> Float {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return Float(seed >> 40) / Float(1 << 24)
            }
            for input in program.graph.inputs {
                guard let name = input.name else { continue }
                if input.type.element == .i32 {
                    for exe in [cpu, reference as any ExecutableProgram] {
                        let b = exe.int32s(input: name)
                        for i in b.indices { b[i] = Int32((i * 7 + 1) % 3) }
                    }
                } else {
                    let values = (0..<input.type.elementCount).map { _ in next() - (name == "images" ? 0 : 0.5) }
                    for exe in [cpu, reference as any ExecutableProgram] {
                        // Variances (batchnorm, Adam's v) must be positive.
                        let positive = name.hasSuffix("moving_variance") || name.hasSuffix("/v")
                        _ = exe.floats(input: name).update(fromContentsOf: positive ? values.map { abs($0) + 0.1 } : values)
                    }
                }
            }
            for exe in [cpu, reference as any ExecutableProgram] {
                exe.setScalar(IRProgram.Names.step, 3)
                exe.setScalar(IRProgram.Names.learningRate, 0.01)
            }
            // Two steps, feeding the new weights back, to exercise the arena across runs.
            for _ in 0..<2 {
                try cpu.run()
                try reference.run()
                for output in program.graph.outputs {
                    let a = cpu.floats(output: output.name), b = reference.floats(output: output.name)
                    for (x, y) in zip(a, b) {
                        XCTAssertEqual(x, y, accuracy: 1e-4 * max(1, abs(y)), "\(optimizer) \(output.name)")
                    }
                }
                cpu.feedBack()
                reference.feedBack()
            }
        }
    }
}
