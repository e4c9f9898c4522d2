import XCTest
import ConvnetIR
import ConvnetOptimizer
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
        for optimizer in [OptimizerSetting.sgd(learningRate: 0.01, momentum: 0.9), .sgd(learningRate: 0.01, momentum: 0),
                          .sgd(learningRate: 0.01, momentum: 0.9, nesterov: true), .adamw(learningRate: 0.01, weightDecay: 0.05)] {
            let program = try IRBuilder.trainingStep(everyLayerModel(), batch: 4, optimizer: optimizer)
            try compare(program, steps: 2)
        }
    }

    /// `label_smoothing` changes the loss op of the step; the CPU target runs it as the reference.
    func testTrainingStepWithLabelSmoothing() throws {
        var m = everyLayerModel()
        m.train.labelSmoothing = 0.1
        let program = try IRBuilder.trainingStep(m, batch: 4, optimizer: .adam(learningRate: 0.01))
        XCTAssertTrue(program.graph.instructions.contains { $0.op == .softmaxCrossEntropyGrad(labelSmoothing: 0.1) })
        try compare(program, steps: 2)
        try compare(program, optimize: false)
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

/// A graph model (residual with fan-out, add of branches with an identity, standalone
/// activation, conv without bias, batchnorm momentum) on the CPU target against the reference
/// interpreter; and a layer the CPU kernels lack is a compile error, not a crash.
extension ModelTests {
    func graphModel(_ text: String) throws -> CheckedModel {
        let parsed = Parser.parse(SourceFile(path: "graph.convnet", text: text))
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
        return try XCTUnwrap(sema.model, "\(parsed.diagnostics + sema.diagnostics)")
    }

    func testResidualModelTrainingStepMatchesReference() throws {
        let m = try graphModel("""
        input 8x8x3
        conv 3x3x4 relu
        residual { conv 3x3x4 relu; batchnorm momentum 0.9; conv 3x3x4 bias off }
        activation relu
        add { branch { conv 1x1x4 tanh }; branch { } }
        maxpool 2
        gap
        dense 3 softmax
        """)
        try compare(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.01)), steps: 2)
        try compare(try IRBuilder.inference(m, batch: 2))
    }

    /// A fire module (1x1 squeeze, 1x1 and 3x3 expands concatenated), a depthwise layer with a
    /// multiplier, stride and bias, separable convolutions, and pools with `padding same`
    /// (each one padded: 9 -> 5 at 3/2, 5 -> 5 at 2/1, 5 -> 3 and 3 -> 2 at 2/2): every graph op
    /// on the CPU kernels.
    static let branchingModels = [
        """
        input 8x8x3
        conv 3x3x4 relu
        conv 1x1x3 relu
        concat { branch { conv 1x1x4 relu }; branch { conv 3x3x5 relu; batchnorm momentum 0.9 } }
        maxpool 2
        concat { branch { conv 1x1x2 relu }; branch { }; branch { conv 3x3x3 } }
        gap
        dense 3 softmax
        """,
        """
        input 9x9x3
        dwconv 3x3 relu
        dwconv 3x3 multiplier 2 stride 2 tanh
        dwconv 3x3 padding valid
        gap
        dense 3 softmax
        """,
        """
        input 8x8x4
        sepconv 3x3x6 relu
        residual { sepconv 3x3x6 relu; batchnorm }
        sepconv 3x3x8 stride 2 padding valid
        gap
        dense 3 softmax
        """,
        """
        input 9x9x3
        conv 3x3x4 relu
        maxpool 3 stride 2 padding same
        add { branch { sepconv 3x3x4; maxpool 2 stride 1 padding same }; branch { conv 1x1x4 } }
        avgpool 2 padding same
        conv 3x3x4 relu
        maxpool 2 padding same
        gap
        dense 3 softmax
        """,
    ]

    func testBranchingModelsTrainingStepMatchReference() throws {
        for text in Self.branchingModels {
            let m = try graphModel(text)
            try compare(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.01)), steps: 2)
            try compare(try IRBuilder.trainingStep(m, batch: 2, optimizer: .sgd(learningRate: 0.05, momentum: 0.9)), optimize: false)
        }
    }

    func testBranchingModelsInferenceMatchReference() throws {
        for text in Self.branchingModels {
            let m = try graphModel(text)
            try compare(try IRBuilder.inference(m, batch: 3))
            try compare(try IRBuilder.inference(m, batch: 3), optimize: false)
        }
    }

    /// The five batch-norm ops of a layer's training step (forward, moving mean and variance,
    /// gamma and input gradients) share one moments pass over its input. The steps match the
    /// reference above (the fire, residual and separable models have batch norms), and are bit
    /// for bit what they were with a pass per op (the same `BatchStatistics.moments`).
    func testBatchNormOpsShareOneMomentsPassPerLayer() throws {
        let m = try graphModel(Self.branchingModels[0])  // one batch norm
        let program = try IRBuilder.trainingStep(m, batch: 2, optimizer: .sgd(learningRate: 0.1, momentum: 0))
        XCTAssertEqual(program.graph.instructions.filter { $0.op.mnemonic.hasPrefix("batch_") }.count, 5)
        for optimize in [true, false] {
            let exe = try XCTUnwrap(try CPUCompiler(optimize: optimize).compile(program) as? CPUExecutable)
            XCTAssertEqual(exe.batchMomentsPasses, 1, "optimized: \(optimize)")
        }
        let twoNorms = try graphModel("input 6x6x3\nconv 3x3x4 relu\nbatchnorm\nconv 3x3x4 relu\nbatchnorm momentum 0.9\ngap\ndense 3 softmax")
        let step = try IRBuilder.trainingStep(twoNorms, batch: 2, optimizer: .sgd(learningRate: 0.05, momentum: 0.9))
        XCTAssertEqual(try XCTUnwrap(try CPUCompiler().compile(step) as? CPUExecutable).batchMomentsPasses, 2)
    }

    /// Kernel selection's `kernel=depthwise` is what the executor runs on every depthwise step.
    func testDepthwiseStepsRunThePlannedKernel() throws {
        let m = try graphModel(Self.branchingModels[1])
        let program = try IRBuilder.trainingStep(m, batch: 2, optimizer: .sgd(learningRate: 0.1, momentum: 0))
        let exe = try CPUCompiler().compile(try Pipeline.optimize(program, for: .cpu))
        let depthwise = exe.convolutionKernels.filter { $0.op.hasPrefix("depthwise_conv2d") }
        XCTAssertEqual(Set(depthwise.map { $0.op }), ["depthwise_conv2d", "depthwise_conv2d_input_grad", "depthwise_conv2d_filter_grad"])
        XCTAssertTrue(depthwise.allSatisfy { $0.kernel == .depthwise }, "\(depthwise)")
    }
}
