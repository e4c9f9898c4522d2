import XCTest
import ConvnetIR
@testable import ConvnetOptimizer

/// Fusion legality on hand-made graphs.
final class FusionTests: XCTestCase {
    /// conv -> bias -> act with the given extra outputs.
    func convGraph(_ act: ActivationFunction?, exposeConv: Bool = false, exposePre: Bool = false) -> Graph {
        var g = Graph()
        let x = g.input("x", .f32([1, 5, 5, 2]), role: .data)
        let w = g.input("w", .f32([3, 3, 2, 4]), role: .parameter)
        let b = g.input("b", .f32([4]), role: .parameter)
        let c = g.emit(.conv2d(ConvAttributes(kernelHeight: 3, kernelWidth: 3)), [x, w])
        let pre = g.emit(.biasAdd, [c, b])
        let y = act.map { g.emit(.activation($0), [pre]) } ?? pre
        g.outputs = [GraphOutput(name: "y", value: y)]
        if exposeConv { g.outputs.append(GraphOutput(name: "conv", value: c)) }
        if exposePre { g.outputs.append(GraphOutput(name: "pre", value: pre)) }
        return g
    }

    func kinds(_ g: Graph) -> [String] {
        g.instructions.compactMap { if case .fusion(let k, _) = $0.op { k.name } else { nil } }
    }

    func testKindsNameTheActivation() {
        XCTAssertEqual(kinds(OutputFusion.run(convGraph(.relu))), ["conv_bias_relu"])
        XCTAssertEqual(kinds(OutputFusion.run(convGraph(.sigmoid))), ["conv_bias_sigmoid"])
        XCTAssertEqual(kinds(OutputFusion.run(convGraph(.tanh))), ["conv_bias_tanh"])
        XCTAssertEqual(kinds(OutputFusion.run(convGraph(nil))), ["conv_bias"])
        let fused = OutputFusion.run(convGraph(.relu))
        XCTAssertEqual(fused.instructions.last!.op.printedAttributes, "window=3x3 stride=1 pad=same")
        XCTAssertEqual(verifierMessages(fused), [])
    }

    func testValuesWithOtherUsersAreNotFusedAway() {
        // The pre-activation is an output: conv+bias fuse, the activation stays.
        let pre = OutputFusion.run(convGraph(.relu, exposePre: true))
        XCTAssertEqual(kinds(pre), ["conv_bias"])
        XCTAssertEqual(pre.instructions.last!.op, .activation(.relu))
        // The conv output is an output: nothing fuses.
        XCTAssertEqual(kinds(OutputFusion.run(convGraph(.relu, exposeConv: true))), [])
    }

    func testLoopFusionMakesOneOpOfAnElementwiseTree() {
        var g = Graph()
        let p = g.input("p", .f32([8]), role: .parameter)
        let grad = g.input("g", .f32([8]), role: .data)
        let m = g.input("m", .f32([8]), role: .optimizerSlot)
        let newM = g.add(g.scale(m, by: 0.9), g.scale(grad, by: 0.1))
        let newP = g.sub(p, g.scale(newM, by: 0.01))
        g.outputs = [GraphOutput(name: "p", value: newP), GraphOutput(name: "m", value: newM)]
        let fused = Fusion.run(Simplify.run(g))
        XCTAssertEqual(verifierMessages(fused), [])
        // m is an output, so it ends one loop; p's update is another.
        XCTAssertEqual(kinds(fused), ["loop", "loop"])
        XCTAssertEqual(fused.instructions.filter { $0.op.isElementwise }.count, 0)
        guard case .fusion(_, let body) = fused.instructions.last!.op else { return XCTFail() }
        // The scalar constant is copied into the body, not passed as an operand.
        XCTAssertEqual(fused.instructions.last!.operands.count, 2)
        XCTAssertTrue(body.instructions.contains { $0.op == .constant(0.01) })
    }

    /// In a training step the mask of every relu joins the op that produced its incoming gradient.
    func testActivationGradientsJoinTheirProducers() throws {
        let model = try sampleModel("flowers")
        let g = Fusion.run(Simplify.run(try IRBuilder.trainingStep(model, batch: 2, optimizer: model.train.optimizer).graph))
        XCTAssertFalse(g.instructions.contains { $0.op.mnemonic == "relu_grad" })
        XCTAssertEqual(kinds(g).filter { $0.hasSuffix("_relu_grad") }.sorted(),
                       ["conv_input_grad_relu_grad", "conv_input_grad_relu_grad", "max_pool_grad_relu_grad",
                        "max_pool_grad_relu_grad", "max_pool_grad_relu_grad", "max_pool_grad_relu_grad",
                        "mean_hw_grad_relu_grad"])
    }
}
