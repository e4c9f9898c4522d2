import ConvnetCPU
import ConvnetIR
import ConvnetKernels
import ConvnetSema
import XCTest
@testable import TPUEmulator

/// The data-parallel step itself (the TPU target's path, with the float32 engine so bfloat16
/// plays no part) against the whole-batch training step on the CPU: the split, the fixed-order
/// all-reduce, the 1/N in the update and the mean of the moving statistics.
final class DataParallelStepTests: XCTestCase {
    let batch = 8

    func fp32(_ model: CheckedModel, cores: Int) -> TPUCompiler {
        var compiler = TPUCompiler(model: model, cores: cores)
        compiler.engine = BLASEngine()
        return compiler
    }

    /// Without batch norm or dropout, three Adam steps over 4 cores are three whole-batch steps
    /// up to float32 rounding.
    func testThreeStepsMatchTheWholeBatchSteps() throws {
        let text = targetModelText.replacingOccurrences(of: "batchnorm\n", with: "")
            .replacingOccurrences(of: "dropout 0.25\n", with: "")
        let model = try targetModel(text)
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        let split = try fp32(model, cores: 4).compile(program)
        XCTAssertTrue(split is TPUTrainingExecutable)
        let whole = try CPUCompiler().compile(program)
        for exe in [split, whole] { feed(exe, program: program, classes: 4, seed: 7) }
        let initial = Dictionary(uniqueKeysWithValues: program.parameters.map { ($0.name, Array(whole.floats(input: $0.name))) })
        for step in 1...3 {
            for exe in [split, whole] {
                exe.setScalar(IRProgram.Names.step, Float(step))
                try exe.run()
            }
            XCTAssertEqual(split.scalar(output: IRProgram.Names.loss), whole.scalar(output: IRProgram.Names.loss), accuracy: 1e-5)
            XCTAssertEqual(split.scalar(output: IRProgram.Names.correct), whole.scalar(output: IRProgram.Names.correct))
            for exe in [split, whole] { exe.feedBack() }
        }
        for p in program.parameters {
            let expected = Array(whole.floats(input: p.name)), actual = Array(split.floats(input: p.name))
            for i in expected.indices { XCTAssertEqual(actual[i], expected[i], accuracy: 1e-4, "\(p.name)[\(i)]") }
            XCTAssertNotEqual(actual, initial[p.name], "\(p.name) did not train")
        }
    }

    /// Batch norm first: its input does not depend on the split, so the mean over the cores of
    /// the updated moving means is the whole batch's.
    func testMovingMeanIsTheMeanOverCores() throws {
        let model = try targetModel(targetModelText.replacingOccurrences(of: "dropout 0.25\n", with: ""))
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        let split = try fp32(model, cores: 2).compile(program)
        let whole = try CPUCompiler().compile(program)
        for exe in [split, whole] {
            feed(exe, program: program, classes: 4, seed: 9)
            try exe.run()
        }
        let name = "batch_normalization/moving_mean"
        let expected = Array(whole.floats(output: name)), actual = Array(split.floats(output: name))
        XCTAssertEqual(actual.count, 8)
        for i in expected.indices { XCTAssertEqual(actual[i], expected[i], accuracy: 1e-6) }
        XCTAssertTrue(actual.contains { $0 != 0 })
    }

    /// The driver builds the programs; a training step of another model is refused by name.
    func testProgramsOfAnotherModelAreRefused() throws {
        let model = try targetModel()
        let other = try targetModel(targetModelText.replacingOccurrences(of: "conv 3x3x12 relu\n", with: ""))
        let program = try IRBuilder.trainingStep(other, batch: batch, optimizer: other.train.optimizer)
        XCTAssertThrowsError(try TPUCompiler(model: model, cores: 4).compile(program)) { error in
            XCTAssertTrue("\(error)".contains("do not match"), "\(error)")
        }
    }
}
