import ConvnetCPU
import ConvnetIR
import XCTest
@testable import TPUEmulator

/// Inference on `--target tpu` against the fp32 CPU target.
final class TargetInferenceTests: XCTestCase {
    func testProbabilitiesCloseToCPUAndDeterministic() throws {
        let model = try targetModel()
        let program = try IRBuilder.inference(model, batch: 6)
        let cpu = try CPUCompiler().compile(program)
        let tpu = try TPUCompiler(model: model).compile(program)
        feed(cpu, program: program, classes: 4, seed: 11)
        feed(tpu, program: program, classes: 4, seed: 11)
        try cpu.run()
        try tpu.run()
        let name = IRProgram.Names.probabilities
        let first = Array(tpu.floats(output: name))
        XCTAssertLessThanOrEqual(maxRelativeDifference(tpu.floats(output: name), cpu.floats(output: name)), 1e-2)
        XCTAssertNotEqual(first, Array(cpu.floats(output: name)), "the MXU's bfloat16 should change some bits")
        for row in 0..<6 {
            XCTAssertEqual(first[row * 4 ..< row * 4 + 4].reduce(0, +), 1, accuracy: 1e-4)
        }
        try tpu.run()
        XCTAssertEqual(bitMismatches(Array(tpu.floats(output: name)), first), [])
    }
}
