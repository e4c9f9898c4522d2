import ConvnetTestSupport
import XCTest
import ConvnetIR
import ConvnetOptimizer
import ConvnetSyntax
@testable import ConvnetCPU

/// The CPU executor runs convolutions exactly as the IR's plan says: every algorithm a window
/// admits matches the interpreter, each step records the kernel the plan gave it, and a plan for
/// another target is refused at compile time.
final class PlannedConvTests: XCTestCase {
    let windows: [ConvAttributes] = [
        ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 1, padding: .same),
        ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 1, padding: .valid),
        ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .valid),
        ConvAttributes(kernelHeight: 1, kernelWidth: 1, stride: 1, padding: .same),
        ConvAttributes(kernelHeight: 5, kernelWidth: 5, stride: 1, padding: .same),
    ]

    /// A layer's forward pass (conv + bias + relu, then a 2x2 max pool) and the backward pass
    /// of a next layer into it (input gradient, relu backward, bias gradient) and its filter
    /// gradient, with 24 channels on both sides so Winograd gains: after the CPU pipeline it holds
    /// `conv_bias_relu_max_pool`, `conv_input_grad_relu_grad_bias_grad` and `conv_filter_grad`.
    func layerGraph(_ a: ConvAttributes) -> Graph {
        let c = 24
        var g = Graph()
        let x = g.input("x", .f32([2, 8, 8, c]), role: .data)
        let w = g.input("w", .f32([a.kernelHeight, a.kernelWidth, c, c]), role: .data)
        let b = g.input("b", .f32([c]), role: .data)
        let y = g.emit(.activation(.relu), [g.emit(.biasAdd, [g.emit(.conv2d(a), [x, w]), b])])
        let pooled = g.emit(.maxPool(PoolAttributes(size: 2, stride: 2)), [y])
        let ys = g.typeOf(y).shape
        let dz = g.input("dz", .f32(ys), role: .data)
        let w2 = g.input("w2", .f32([a.kernelHeight, a.kernelWidth, c, c]), role: .data)
        let a2 = ConvAttributes(kernelHeight: a.kernelHeight, kernelWidth: a.kernelWidth, stride: 1, padding: .same)
        let dx = g.emit(.conv2dInputGrad(a2), [dz, w2], declared: .f32(ys))
        let masked = g.emit(.activationGrad(.relu), [dx, y])
        let db = g.emit(.biasGrad, [masked])
        let dw = g.emit(.conv2dFilterGrad(a), [x, masked])
        g.outputs = [GraphOutput(name: "pooled", value: pooled), GraphOutput(name: "masked", value: masked),
                     GraphOutput(name: "db", value: db), GraphOutput(name: "dw", value: dw)]
        return g
    }

    /// Runs the optimized graph on the CPU and the builder's graph on the reference; returns the
    /// kernels the CPU steps recorded.
    func compare(_ original: Graph, _ optimized: OptimizedProgram, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) throws -> [ConvAlgorithm] {
        let program = IRProgram(kind: .inference, graph: original, parameters: [], optimizerSlots: [], batch: 2)
        let cpu = try CPUCompiler(convScratchFloats: 200).compile(optimized)
        let reference = ReferenceExecutable(program)
        var rng = TestRandom(seed: 9)
        for input in original.inputs {
            let v = rng.values(input.type.elementCount, -1, 1).map(Float.init)
            _ = cpu.floats(input: input.name!).update(fromContentsOf: v)
            _ = reference.floats(input: input.name!).update(fromContentsOf: v)
        }
        try cpu.run()
        try reference.run()
        for o in original.outputs {
            let e = maxRelativeError(cpu.floats(output: o.name), reference.floats(output: o.name))
            XCTAssertLessThanOrEqual(e, 2e-4, "\(what) \(o.name)", file: file, line: line)
        }
        return cpu.convolutionKernels.map(\.kernel)
    }

    /// The plan the dump shows is the plan that runs: per convolution step, the IR's `kernel=`.
    func testStepsRunThePlannedKernels() throws {
        for a in windows {
            let g = layerGraph(a)
            let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 2)
            let optimized = try Pipeline.optimize(program, for: .cpu)
            let planned = optimized.graph.instructions.compactMap { $0.kernel?.convolution }
            XCTAssertEqual(planned.count, 3, a.printed)
            XCTAssertEqual(try compare(g, optimized, a.printed), planned, a.printed)
            XCTAssertTrue(optimized.graph.instructions.contains { $0.op.mnemonic == "fusion.conv_bias_relu_max_pool" }, a.printed)
            XCTAssertTrue(optimized.graph.instructions.contains { $0.op.mnemonic == "fusion.conv_input_grad_relu_grad_bias_grad" })
        }
        // The thresholds: Winograd for the 3x3 stride-1 windows, direct for 5x5, a GEMM for 1x1.
        let plans = try windows.map { a in
            try Pipeline.optimize(IRProgram(kind: .inference, graph: layerGraph(a), parameters: [], optimizerSlots: [], batch: 2),
                                  for: .cpu).graph.instructions.compactMap { $0.kernel?.convolution?.rawValue }
        }
        XCTAssertEqual(plans, [["winograd", "winograd", "winograd"], ["winograd", "winograd", "winograd"],
                               ["im2col_gemm", "winograd", "im2col_gemm"], ["gemm", "gemm", "gemm"],
                               ["direct", "direct", "direct"]])
    }

    /// Every algorithm a window admits, forced into the plan, computes the same values: the
    /// executor runs what it is told (and the relu backward in the kernel only where planned).
    func testEveryAdmittedAlgorithmRunsAsPlanned() throws {
        for a in windows {
            let g = layerGraph(a)
            let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 2)
            let base = try Pipeline.optimize(program, for: .cpu)
            for algorithm in [ConvAlgorithm.direct, .winograd, .im2colGemm, .gemm] {
                var forced = base
                for i in forced.program.graph.instructions.indices {
                    guard case .fusion(let kind, _) = forced.program.graph.instructions[i].op, let c = kind.convolution else { continue }
                    let inputGradientWindow = ConvAttributes(kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth)
                    let window = if case .convInputGrad = kind { inputGradientWindow } else { c }
                    let chosen = PlanRules.admits(algorithm, window) ? algorithm : .im2colGemm
                    forced.program.graph.instructions[i].kernel = KernelPlan(
                        convolution: chosen,
                        reluBackwardInKernel: chosen == .direct || chosen == .winograd
                            ? forced.program.graph.instructions[i].kernel?.reluBackwardInKernel ?? false : false)
                }
                XCTAssertEqual(Verifier.verifyPlanned(forced.graph).map(\.message), [], "\(a.printed) \(algorithm)")
                let ran = try compare(g, forced, "\(a.printed) \(algorithm)")
                XCTAssertEqual(ran, forced.graph.instructions.compactMap { $0.kernel?.convolution }, "\(a.printed) \(algorithm)")
            }
        }
    }

    /// A TPU plan (`mxu_direct`) given to the CPU executor is a compile error, not a wrong run.
    func testAPlanForAnotherTargetIsRefused() throws {
        let g = layerGraph(windows[0])
        let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 2)
        let tpu = try Pipeline.optimize(program, for: .tpu)
        XCTAssertThrowsError(try CPUCompiler().compile(tpu)) { error in
            XCTAssertTrue("\(error)".contains("kernel=mxu_direct was planned for another target"), "\(error)")
        }
    }

    /// A wrong plan handed straight to the executor (Winograd on a 5x5 window) is a compile
    /// error naming the fault, not a crash in the kernels.
    func testAWrongPlanIsACompileError() throws {
        let g = layerGraph(windows[4])
        let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 2)
        var optimized = try Pipeline.optimize(program, for: .cpu)
        let i = try XCTUnwrap(optimized.program.graph.instructions.firstIndex { $0.kernel?.convolution == .direct })
        optimized.program.graph.instructions[i].kernel?.convolution = .winograd
        XCTAssertThrowsError(try CPUCompiler().compile(optimized)) { error in
            XCTAssertTrue("\(error)".contains("kernel=winograd cannot compute a 5x5 window at stride 1"), "\(error)")
        }
    }
}
