import XCTest
import ConvnetIR
import ConvnetSupport
@testable import ConvnetOptimizer

final class ProgramStatsTests: XCTestCase {
    /// flowers.convnet at batch 32: forward 32,676,244,768 FLOPs, training step 97,097,695,411,
    /// ratio 2.9715 (see `ProgramStats` for why it is just under 3).
    func testFlowersFlopRatio() throws {
        let model = try sampleModel("flowers")
        let stats = try ProgramStats.make(model, batch: 32, optimizer: model.train.optimizer)
        // The GEMMs: every forward product is matched by a filter-gradient product of the same
        // M*K*N, and by an input-gradient product except for the first layer.
        func gemmFlops(_ role: MatmulPlan.Role) -> Int {
            stats.matmuls.filter { $0.role == role }.reduce(0) { $0 + 2 * $1.plan.macs }
        }
        let forward = gemmFlops(.forward)
        let firstLayer = 2 * 32 * 192 * 192 * 27 * 16
        XCTAssertEqual(gemmFlops(.filterGrad), forward)
        XCTAssertEqual(gemmFlops(.inputGrad), forward - firstLayer)
        // Forward GEMMs are 99.3% of the forward FLOPs (the rest: bias, relu, pools, softmax).
        XCTAssertEqual(Double(forward) / Double(stats.forwardFlops), 0.993, accuracy: 0.001)
        XCTAssertEqual(stats.forwardFlops, 32_676_244_768)
        XCTAssertEqual(stats.trainingStepFlops, 97_097_695_411)
        XCTAssertEqual(stats.flopRatio, 2.9715, accuracy: 0.0001)
        XCTAssertLessThan(stats.flopRatio, 3)
    }

    /// Autodiff never builds the first layer's input gradient (the images need none), so there
    /// is nothing for DCE to drop: the unoptimized step has one conv2d_input_grad fewer than
    /// it has convolutions.
    func testFirstLayerInputGradientIsNeverBuilt() throws {
        let model = try sampleModel("flowers")
        let program = try IRBuilder.trainingStep(model, batch: 2, optimizer: model.train.optimizer)
        let ops = program.graph.instructions.map(\.op.mnemonic)
        XCTAssertEqual(ops.filter { $0 == "conv2d" }.count, 7)
        XCTAssertEqual(ops.filter { $0 == "conv2d_input_grad" }.count, 6)
        XCTAssertEqual(DeadCodeElimination.run(program.graph).instructions.count, program.graph.instructions.count)
    }

    func testTableAndJSON() throws {
        let model = try sampleModel("one-line")
        let stats = try ProgramStats.make(model, batch: 4, optimizer: model.train.optimizer)
        let table = stats.table()
        XCTAssertTrue(table.contains("ratio "), table)
        XCTAssertTrue(table.split(separator: "\n").contains { $0.hasPrefix("conv2d ") && $0.contains(" forward ") && $0.contains("147,456") }, table)
        XCTAssertTrue(table.contains("conv_bias_relu_max_pool 1"), table)
        let json = stats.json()
        guard case .object(let fields) = json else { return XCTFail("not an object") }
        XCTAssertEqual(fields.map(\.0), ["batch", "forward_flops", "training_step_flops", "flop_ratio",
                                         "training_memory", "inference_memory", "ops", "fusions", "matmuls"])
        let text = json.serialized()
        XCTAssertTrue(text.contains("\"fusions\":{\"conv_bias_relu_max_pool\":1,\"matmul_bias\":1,"), text)
        XCTAssertTrue(text.contains("\"layer\":\"conv2d\",\"product\":\"forward\",\"m\":\(4 * 192 * 192),\"k\":27,\"n\":32"), text)
        XCTAssertEqual(stats.matmuls.count, 5)  // conv fwd + filter grad, dense fwd + 2 grads
    }

    func testDumpAllHeadsEveryPass() throws {
        let model = try sampleModel("one-line")
        let optimized = try Pipeline.optimize(IRBuilder.inference(model, batch: 1), for: .tpu, recordEveryPass: true)
        let all = optimized.dump(all: true)
        let heads = all.split(separator: "\n").filter { $0.hasPrefix("// ---- after ") }
        XCTAssertEqual(heads, ["// ---- after simplify ----", "// ---- after fusion ----", "// ---- after simplify ----",
                               "// ---- after kernels ----", "// ---- after lowering ----", "// ---- after tiling ----"])
        XCTAssertTrue(all.contains("conv2d(%images, %conv2d.kernel)"))
        let final = optimized.dump()
        XCTAssertFalse(final.contains("// ----"))
        XCTAssertTrue(final.contains("fusion.conv_bias_relu_max_pool(%images, %conv2d.kernel, %conv2d.bias) window=3x3 stride=1 pad=same pool=2x2/2 kernel=mxu_direct mnk=36864x27x32 tile=128x128"), final)
        XCTAssertTrue(all.hasSuffix(final))
    }
}
