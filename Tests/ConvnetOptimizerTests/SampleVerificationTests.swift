import XCTest
import ConvnetIR
@testable import ConvnetOptimizer

/// Every pass keeps the verifier green on both programs of every sample.
final class SampleVerificationTests: XCTestCase {
    func testEveryPassVerifiesOnEverySample() throws {
        let names = try TestPaths.sampleNames()
        XCTAssertGreaterThanOrEqual(names.count, 8)
        for name in names {
            let model = try sampleModel(name)
            let programs = [try IRBuilder.inference(model, batch: 2),
                            try IRBuilder.trainingStep(model, batch: 2, optimizer: model.train.optimizer)]
            for program in programs {
              for target in TargetCapabilities.all {
                let optimized = try Pipeline.optimize(program, for: target, recordEveryPass: true)
                XCTAssertEqual(optimized.passLog.count, Pipeline.for(target).passes.count)
                for (pass, graph) in optimized.passLog {
                    XCTAssertEqual(verifierMessages(graph), [], "\(name) \(program.kind) after \(pass)")
                }
                // Same interface as the builder's program.
                XCTAssertEqual(optimized.graph.inputs.map(\.name), program.graph.inputs.map(\.name))
                XCTAssertEqual(optimized.graph.outputs.map(\.name), program.graph.outputs.map(\.name))
                // Nothing of the unlowered convolution family is left.
                // Every convolution is planned; on the MXU none is left unlowered.
                XCTAssertEqual(PlanRules.unplanned(optimized.graph), [], "\(name) \(program.kind) \(target.name)")
                if target.matmulsOnMXU {
                    XCTAssertFalse(allOps(optimized.graph).contains { ["conv2d", "conv2d_filter_grad", "conv2d_input_grad"].contains($0) },
                                   "\(name) \(program.kind)")
                }
              }
            }
        }
    }

    /// The verifier check above can fail: a pass that drops an instruction someone uses is caught.
    func testVerifierCatchesABrokenPass() throws {
        let model = try sampleModel("one-line")
        var graph = try Pipeline.optimize(IRBuilder.inference(model, batch: 2), for: .cpu).graph
        graph.instructions.remove(at: graph.instructions.firstIndex { $0.op.mnemonic == "fusion.conv_bias_relu_max_pool" }!)
        XCTAssertFalse(verifierMessages(graph).isEmpty)
    }
}

/// Every op mnemonic in a graph, fusion bodies included.
func allOps(_ g: Graph) -> [String] {
    g.instructions.flatMap { inst -> [String] in
        if case .fusion(_, let body) = inst.op { return [inst.op.mnemonic] + allOps(body) }
        return [inst.op.mnemonic]
    }
}
