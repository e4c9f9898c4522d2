import XCTest
import ConvnetIR
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetOptimizer

/// The optimized programs of samples/flowers.convnet at its real batch (shapes only).
final class FlowersTests: XCTestCase {
    func flowersTraining(batch: Int = 32, target: TargetCapabilities = .tpu) throws -> (IRProgram, OptimizedProgram) {
        let model = try sampleModel("flowers")
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        return (program, try Pipeline.optimize(program, for: target))
    }

    /// The requirement: every forward conv+bias+relu of the training step is one op.
    func testEveryForwardConvIsOneFusedOp() throws {
        let (_, optimized) = try flowersTraining()
        let g = optimized.graph
        let fused = g.instructions.filter { $0.op.mnemonic.hasPrefix("fusion.conv_bias_relu") }
        XCTAssertEqual(fused.count, 7)
        XCTAssertEqual(fused.filter { $0.op.mnemonic == "fusion.conv_bias_relu_max_pool" }.count, 4)
        XCTAssertEqual(Set(fused.compactMap(\.layer)).count, 7)
        for f in fused {
            XCTAssertNotNil(f.kernel?.convolution)
            XCTAssertNotNil(f.attributes["tile"])
            guard case .fusion(.conv(_, true, .relu, _), _) = f.op else { return XCTFail("\(f.op.mnemonic)") }
        }
        XCTAssertFalse(g.instructions.contains { ["conv2d", "bias_add", "relu"].contains($0.op.mnemonic) })
        XCTAssertEqual(g.instructions.filter { $0.op.mnemonic == "fusion.matmul_bias" }.count, 1)
    }

    /// After lowering no convolution op is left anywhere; every matmul has a plan.
    func testLoweringLeavesOnlyMatmuls() throws {
        let (_, optimized) = try flowersTraining()
        func ops(_ g: Graph) -> [String] {
            g.instructions.flatMap { inst -> [String] in
                if case .fusion(_, let body) = inst.op { return [inst.op.mnemonic] + ops(body) }
                return [inst.op.mnemonic]
            }
        }
        let all = ops(optimized.graph)
        for banned in ["conv2d", "conv2d_filter_grad", "conv2d_input_grad"] { XCTAssertFalse(all.contains(banned), banned) }
        // 7 forward + 7 filter-grad + 6 input-grad (conv2d's input gradient is never built)
        // + dense forward, filter grad, input grad.
        XCTAssertEqual(all.filter { $0 == "matmul" }.count, 23)
        XCTAssertEqual(optimized.tilePlans.count, 23)
        XCTAssertEqual(optimized.tilePlans.filter { $0.role == .inputGrad }.count, 7)
        XCTAssertEqual(optimized.tilePlans.filter { $0.role == .filterGrad }.count, 8)
        XCTAssertFalse(optimized.tilePlans.contains { $0.role == .inputGrad && $0.layer == "conv2d" })
        let first = try XCTUnwrap(optimized.tilePlans.first)
        XCTAssertEqual([first.plan.m, first.plan.k, first.plan.n], [32 * 192 * 192, 27, 16])
    }

    /// The CPU target's plan for flowers: the kernels the CPU executor ran before kernel
    /// selection existed (direct below 24 channels, Winograd from 30 to 130, a GEMM for the 1x1),
    /// pools in the four pooled convolutions, bias gradients in every conv layer's epilogue.
    func testCPUPlanForFlowers() throws {
        let (_, optimized) = try flowersTraining(target: .cpu)
        var kernels: [String: [String]] = [:]
        for inst in optimized.graph.instructions {
            guard let k = inst.kernel?.convolution, let layer = inst.layer else { continue }
            kernels[layer, default: []].append(inst.op.mnemonic.replacingOccurrences(of: "fusion.", with: "") + "=" + k.rawValue)
        }
        XCTAssertEqual(kernels["conv2d"], ["conv_bias_relu=direct", "conv_input_grad_relu_grad_bias_grad=direct", "conv_filter_grad=direct"])
        XCTAssertEqual(kernels["conv2d_1"], ["conv_bias_relu_max_pool=direct", "conv_filter_grad=direct"])
        for layer in ["conv2d_2", "conv2d_3", "conv2d_4"] {
            XCTAssertEqual(kernels[layer], ["conv_bias_relu_max_pool=winograd", "conv_input_grad=winograd", "conv_filter_grad=winograd"], layer)
        }
        XCTAssertEqual(kernels["conv2d_5"], ["conv_bias_relu=winograd", "conv_input_grad_relu_grad_bias_grad=gemm",
                                             "conv_input_grad=winograd", "conv_filter_grad=winograd"])
        XCTAssertEqual(kernels["conv2d_6"], ["conv_bias_relu=gemm", "conv_filter_grad=gemm"])
        let inKernel = optimized.graph.instructions.filter { $0.kernel?.reluBackwardInKernel == true }
        XCTAssertEqual(inKernel.map(\.layer), ["conv2d"])
        XCTAssertEqual(optimized.graph.instructions.filter { $0.op.mnemonic == "fusion.max_pool_grad_relu_grad_bias_grad" }.count, 4)
        XCTAssertTrue(optimized.tilePlans.isEmpty, "no MXU on the CPU")
    }
}
