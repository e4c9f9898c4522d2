import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// FLOPs: 2 per MAC for convolutions and matmuls, forward vs training step.
final class FlopCounterTests: XCTestCase {
    func testConvAndDenseFlopsAreTwiceTheMACs() {
        let m = smallModel()
        let batch = 2
        let g = IRBuilder.inference(m, batch: batch).graph
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
        let forward = FlopCounter.total(IRBuilder.inference(m, batch: 2).graph)
        let step = FlopCounter.total(try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.001)).graph)
        // The first conv needs no input gradient, so a bit under 3x, plus elementwise work.
        XCTAssertGreaterThan(step, 2 * forward)
        XCTAssertLessThan(step, 4 * forward)
    }
}
