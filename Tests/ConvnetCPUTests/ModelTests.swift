import XCTest
import ConvnetIR
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetCPU

/// Whole programs built from models: inference and one training step, CPU against the
/// reference interpreter, every output compared.
final class ModelTests: XCTestCase {
    /// Largest |a - b| over the largest |b| of the output (so tiny gradients are compared at the
    /// scale of their tensor, not against an absolute 1).
    func scaledError(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        let scale = max(b.map(abs).max() ?? 0, 1e-6)
        var worst: Float = 0
        for i in 0..<a.count {
            let e = abs(a[i] - b[i]) / scale
            worst = e.isNaN ? .infinity : max(worst, e)
        }
        return worst
    }

    /// Runs both backends `steps` times (feeding outputs back) and compares every output.
    func compare(_ program: IRProgram, steps: Int = 1, tolerance: Float = 1e-4, optimize: Bool = true,
                 file: StaticString = #filePath, line: UInt = #line) throws {
        let cpu = try CPUCompiler(optimize: optimize).compile(program)
        let reference = try ReferenceCompiler().compile(program)
        feed([cpu, reference])
        for step in 1...steps {
            if program.kind == .trainingStep {
                cpu.setScalar(IRProgram.Names.step, Float(step))
                reference.setScalar(IRProgram.Names.step, Float(step))
            }
            try cpu.run()
            try reference.run()
            for output in program.graph.outputs {
                let e = scaledError(cpu.floats(output: output.name), reference.floats(output: output.name))
                XCTAssertLessThanOrEqual(e, tolerance, "step \(step) output \(output.name)", file: file, line: line)
            }
            if program.kind == .trainingStep {
                cpu.feedBack()
                reference.feedBack()
            }
        }
    }

    func testInferenceEveryLayer() throws {
        for m in [everyLayerModel(), gapModel()] {
            try compare(try IRBuilder.inference(m, batch: 3))
            try compare(try IRBuilder.inference(m, batch: 3), optimize: false)
        }
    }

    func testTrainingStepAdam() throws {
        for m in [everyLayerModel(), gapModel()] {
            let program = try IRBuilder.trainingStep(m, batch: 4, optimizer: .adam(learningRate: 0.001))
            try compare(program, steps: 2)
            try compare(program, optimize: false)
        }
    }

    func testTrainingStepSGD() throws {
        for optimizer in [OptimizerDecl.sgd(learningRate: 0.01, momentum: 0.9), .sgd(learningRate: 0.01, momentum: 0)] {
            let program = try IRBuilder.trainingStep(everyLayerModel(), batch: 4, optimizer: optimizer)
            try compare(program, steps: 2)
        }
    }

    func testTrainingReducesTheLoss() throws {
        let program = try IRBuilder.trainingStep(gapModel(), batch: 8, optimizer: .adam(learningRate: 0.01))
        let cpu = try CPUCompiler().compile(program)
        feed([cpu], learningRate: 0.01)
        var losses: [Float] = []
        for step in 1...30 {
            cpu.setScalar(IRProgram.Names.step, Float(step))
            try cpu.run()
            losses.append(cpu.scalar(output: IRProgram.Names.loss))
            cpu.feedBack()
        }
        XCTAssertTrue(losses.allSatisfy(\.isFinite), "\(losses)")
        XCTAssertLessThan(losses.last!, 0.8 * losses.first!, "\(losses)")
    }
}
