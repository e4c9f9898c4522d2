import XCTest
import ConvnetIR
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetOptimizer

/// The optimized programs of samples/flowers.convnet at its real batch (shapes only).
final class FlowersTests: XCTestCase {
    func flowersTraining(batch: Int = 32) throws -> (IRProgram, OptimizedProgram) {
        let model = try sampleModel("flowers")
        let program = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        return (program, Pipeline.optimize(program))
    }

    /// The requirement: every forward conv+bias+relu of the training step is one op.
    func testEveryForwardConvIsOneFusedOp() throws {
        let (_, optimized) = try flowersTraining()
        let g = optimized.graph
        let fused = g.instructions.filter { $0.op.mnemonic == "fusion.conv_bias_relu" }
        XCTAssertEqual(fused.count, 7)
        XCTAssertEqual(Set(fused.compactMap(\.layer)).count, 7)
        for f in fused {
            XCTAssertEqual(f.attributes["lowering"], "im2col")
            XCTAssertNotNil(f.attributes["tile"])
            XCTAssertNotNil(f.attributes["window"])
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
}
