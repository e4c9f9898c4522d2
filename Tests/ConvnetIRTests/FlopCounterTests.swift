import ConvnetTestSupport
import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// FLOPs: 2 per MAC for convolutions and matmuls, forward vs training step.
final class FlopCounterTests: XCTestCase {
    func testConvAndDenseFlopsAreTwiceTheMACs() throws {
        let m = smallModel()
        let batch = 2
        let g = try IRBuilder.inference(m, batch: batch).graph
        let macFlops = FlopCounter.perInstruction(g).filter {
            if case .conv2d = $0.instruction.op { return true }
            if case .matmul = $0.instruction.op { return true }
            return false
        }.reduce(0) { $0 + $1.flops }
        XCTAssertEqual(macFlops, 2 * batch * m.totalMACs)
        XCTAssertEqual(FlopCounter.byLayer(g)["conv2d"], 2 * 2 * (8 * 8 * 4 * 27) + 2 * (2 * 8 * 8 * 4))
    }

    func testTrainingStepCostsAboutThreeForwards() throws {
        let m = smallModel()
        let forward = FlopCounter.total(try IRBuilder.inference(m, batch: 2).graph)
        let step = FlopCounter.total(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.001)).graph)
        // The first conv needs no input gradient, so a bit under 3x, plus elementwise work.
        XCTAssertGreaterThan(step, 2 * forward)
        XCTAssertLessThan(step, 4 * forward)
    }
}

/// The codelab's solution-notebook model at 192x192x3: Keras' parameter total, and the FLOP
/// figures machine.md quotes (about 0.51 GMAC forward, about 3.0 GFLOP per training image).
final class SolutionModelFlopTests: XCTestCase {
    func testSolutionNotebookFigures() throws {
        func conv(_ f: Int, _ k: Int = 3) -> LayerKind { .conv(ConvDecl(kernelHeight: k, kernelWidth: k, filters: f, activation: .relu)) }
        let pool = LayerKind.maxPool(PoolDecl(size: 2))
        let m = model(.spatial(192, 192, 3), [
            conv(16), conv(30), pool, conv(60), pool, conv(90), pool, conv(110), pool, conv(130), conv(40, 1),
            .globalAveragePool, .dense(DenseDecl(units: 5, activation: .softmax)),
        ])
        let params = IRBuilder.parameters(of: m)
        XCTAssertEqual(params.reduce(0) { $0 + $1.elementCount }, 293_233)
        let forward = FlopCounter.total(try IRBuilder.inference(m, batch: 1).graph)
        let step = try IRBuilder.trainingStep(m, batch: 1, optimizer: .adam(learningRate: 0.001))
        XCTAssertEqual(Verifier.verify(step.graph).count, 0)
        let training = FlopCounter.total(step.graph)
        // 2 * 0.51 GMAC plus bias/relu/pool work; training about three forwards.
        XCTAssertEqual(Double(forward) / 1e9, 1.03, accuracy: 0.05)
        XCTAssertEqual(Double(training) / 1e9, 3.0, accuracy: 0.15)
        print("solution notebook, per image: forward \(forward) FLOP, training step \(training) FLOP")
    }
}
