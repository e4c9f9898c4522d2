import ConvnetCPU
import ConvnetIR
import ConvnetKernels
import ConvnetSema
import XCTest
@testable import TPUEmulator

/// One data-parallel training step on `--target tpu` against fp32 CPU steps.
final class TargetTrainingTests: XCTestCase {
    let batch = 8

    /// Compiles and runs one step; returns the executable for reading outputs.
    func step(_ compiler: any ProgramCompiler, _ program: IRProgram) throws -> any ExecutableProgram {
        let exe = try compiler.compile(program)
        feed(exe, program: program, classes: 4, seed: 21)
        try exe.run()
        return exe
    }

    /// Plain SGD, so that a weight's change is proportional to its gradient (Adam's first step
    /// is ±lr whatever the gradient's size, which turns rounding noise on tiny gradients into
    /// full-size sign flips).
    func sgd(_ text: String) -> String {
        text.replacingOccurrences(of: "optimizer adam lr 0.01", with: "optimizer sgd lr 0.1")
    }

    /// The worst difference between two executables' weight changes, relative to the largest
    /// change of that weight in `y`.
    func worstUpdateDifference(_ x: any ExecutableProgram, _ y: any ExecutableProgram,
                               _ names: [String]) -> (String, Float) {
        var worst = ("", Float(0))
        for name in names {
            let old = y.floats(input: name), nx = x.floats(output: name), ny = y.floats(output: name)
            var scale: Float = 0, diff: Float = 0
            for i in old.indices {
                scale = max(scale, abs(ny[i] - old[i]))
                diff = max(diff, abs((nx[i] - old[i]) - (ny[i] - old[i])))
            }
            XCTAssertGreaterThan(scale, 0, "\(name) did not move")
            if diff / max(scale, 1e-12) > worst.1 { worst = (name, diff / max(scale, 1e-12)) }
        }
        return worst
    }

    func testFourCoresCloseToOneCPUStepAndToOneCore() throws {
        let text = targetModelText.replacingOccurrences(of: "batchnorm\n", with: "")
            .replacingOccurrences(of: "dropout 0.25\n", with: "")
        let model = try targetModel(sgd(text))
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        let one = try step(TPUCompiler(model: model, cores: 1), program)
        let four = try step(TPUCompiler(model: model, cores: 4), program)
        XCTAssertTrue(four is TPUTrainingExecutable)
        let cpu = try step(CPUCompiler(), program)
        // Without batch norm a split step is the big step up to rounding: the summed shard
        // gradients equal the batch gradient, so the new weights agree to bfloat16 accuracy.
        let names = program.parameters.map(\.name)
        let (worstCPU, dCPU) = worstUpdateDifference(four, cpu, names)
        XCTAssertLessThanOrEqual(dCPU, 0.05, "TPU (4 cores) vs CPU, worst at \(worstCPU)")
        XCTAssertGreaterThan(dCPU, 0, "bfloat16 should change some bits")
        let (worst14, d14) = worstUpdateDifference(four, one, names)
        XCTAssertLessThanOrEqual(d14, 0.05, "1 vs 4 cores, worst at \(worst14)")
        XCTAssertEqual(four.scalar(output: IRProgram.Names.loss), cpu.scalar(output: IRProgram.Names.loss), accuracy: 1e-2)
        XCTAssertEqual(four.scalar(output: IRProgram.Names.correct), cpu.scalar(output: IRProgram.Names.correct))
    }

    /// Pools with `padding same` (a 3/2 max pool padded after, 10 -> 5; a 2/2 average pool over
    /// 5, padded after) run on the emulator's vector unit: the 4-core step is the CPU step up to
    /// bfloat16 rounding.
    func testSamePaddingPoolsCloseToTheCPUStep() throws {
        let text = targetModelText.replacingOccurrences(of: "batchnorm\n", with: "")
            .replacingOccurrences(of: "dropout 0.25\n", with: "")
            .replacingOccurrences(of: "maxpool 2\n", with: "maxpool 3 stride 2 padding same\n")
            .replacingOccurrences(of: "gap\n", with: "avgpool 2 padding same\ngap\n")
        let model = try targetModel(sgd(text))
        XCTAssertEqual(model.layers.filter { $0.name.hasPrefix("max_pooling") || $0.name.hasPrefix("average_pooling") }.map(\.outputShape.dims), [[5, 5, 8], [3, 3, 12]])
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        let four = try step(TPUCompiler(model: model, cores: 4), program)
        let cpu = try step(CPUCompiler(), program)
        let (worst, d) = worstUpdateDifference(four, cpu, program.parameters.map(\.name))
        XCTAssertLessThanOrEqual(d, 0.05, "TPU (4 cores) vs CPU, worst at \(worst)")
        XCTAssertEqual(four.scalar(output: IRProgram.Names.loss), cpu.scalar(output: IRProgram.Names.loss), accuracy: 1e-2)
    }

    /// With batch norm each core normalises its own shard (Keras on a TPU without synchronised
    /// batch norm), so the reference is the same data-parallel step in float32 (the engine
    /// swapped; `DataParallelStepTests` checks that step against the whole batch). On the MXU the
    /// step must be within bfloat16 noise of it (batch norm over 2 images a core amplifies it).
    func testBatchNormModelMatchesTheFP32DataParallelStep() throws {
        let model = try targetModel(sgd(targetModelText.replacingOccurrences(of: "dropout 0.25\n", with: "")))
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        var fp32 = TPUCompiler(model: model, cores: 4)
        fp32.engine = BLASEngine()
        let reference = try step(fp32, program)
        let tpu = try step(TPUCompiler(model: model, cores: 4), program)
        let tolerance: Float = 0.15
        XCTAssertEqual(tpu.scalar(output: IRProgram.Names.loss), reference.scalar(output: IRProgram.Names.loss),
                       accuracy: tolerance / 10)
        XCTAssertEqual(tpu.scalar(output: IRProgram.Names.correct), reference.scalar(output: IRProgram.Names.correct))
        let (worst, d) = worstUpdateDifference(tpu, reference, program.parameters.filter(\.trainable).map(\.name))
        XCTAssertLessThanOrEqual(d, tolerance, "TPU vs fp32 data-parallel, worst at \(worst)")
    }

    func testDeterministicAcrossRunsWithDropoutAndBatchNorm() throws {
        let model = try targetModel()
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        let x = try step(TPUCompiler(model: model, cores: 4), program)
        let y = try step(TPUCompiler(model: model, cores: 4), program)
        for p in program.parameters + program.optimizerSlots {
            XCTAssertEqual(bitMismatches(Array(x.floats(output: p.name)), Array(y.floats(output: p.name))), [], p.name)
        }
        XCTAssertEqual(x.scalar(output: IRProgram.Names.loss).bitPattern, y.scalar(output: IRProgram.Names.loss).bitPattern)
        // The moving statistics moved (they are the mean of the cores' updates).
        let mean = "batch_normalization/moving_mean"
        XCTAssertTrue(x.floats(output: mean).contains { $0 != 0 }, "moving mean not updated")
    }

    func testUnevenBatchIsAnErrorWithHelp() throws {
        let model = try targetModel()
        let program = try IRBuilder.trainingStep(model, batch: 10, optimizer: model.train.optimizer)
        XCTAssertThrowsError(try TPUCompiler(model: model, cores: 8).compile(program)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("batch 10 does not split evenly over 8 cores"), text)
            XCTAssertTrue(text.contains("help: use batch 8 or 16"), text)
        }
    }

    func testModelledCostIsReported() throws {
        let model = try targetModel()
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        let exe = try XCTUnwrap(try TPUCompiler(model: model, cores: 4).compile(program) as? TPUTrainingExecutable)
        XCTAssertEqual(exe.report.cores, 4)
        XCTAssertEqual(exe.report.perCoreBatch, 2)
        XCTAssertGreaterThan(exe.report.allReduceCycles, 0)
        XCTAssertGreaterThan(exe.modelledStepSeconds, 0)
        XCTAssertGreaterThan(exe.modelledMXUUtilization, 0)
        XCTAssertLessThan(exe.modelledMXUUtilization, 1)
        XCTAssertTrue(exe.modelledCostTrailer.hasPrefix(" - TPU model: "), exe.modelledCostTrailer)
    }
}
