import XCTest
import ConvnetSyntax
@testable import ConvnetIR

/// The verifier accepts well-formed graphs and names each kind of breakage.
final class VerifierTests: XCTestCase {
    /// x (2,8,8,3) -> conv 3x3x4 same -> relu
    private func smallGraph() -> (Graph, ValueID, ValueID, ValueID) {
        var g = Graph()
        let x = g.input("images", .f32([2, 8, 8, 3]), role: .data)
        let w = g.input("conv2d/kernel", .f32([3, 3, 3, 4]), role: .parameter)
        let y = g.emit(.conv2d(ConvAttributes(kernelHeight: 3, kernelWidth: 3)), [x, w], layer: "conv2d")
        let r = g.emit(.activation(.relu), [y], layer: "conv2d")
        g.outputs = [GraphOutput(name: "out", value: r)]
        return (g, x, w, y)
    }

    func testWellFormedGraphPasses() {
        let (g, _, _, _) = smallGraph()
        XCTAssertEqual(Verifier.verify(g).map(\.message), [])
    }

    func testWrongShapeIsRejected() {
        var (g, _, _, _) = smallGraph()
        g.instructions[2].type = .f32([2, 8, 8, 5])
        let errors = Verifier.verify(g)
        XCTAssertEqual(errors.first?.id, "ir.type-mismatch")
        XCTAssertTrue(errors.first?.message.contains("f32[2,8,8,4]") ?? false, errors.first?.message ?? "")
    }

    func testIncompatibleOperandsAreRejected() {
        var (g, _, _, _) = smallGraph()
        g.instructions[1].type = .f32([3, 3, 2, 4])  // kernel expects 2 input channels
        XCTAssertEqual(Verifier.verify(g).map(\.id), ["ir.bad-operands"])
    }

    func testUseBeforeDefinitionIsRejected() {
        var (g, _, _, _) = smallGraph()
        g.instructions.swapAt(2, 3)
        XCTAssertTrue(Verifier.verify(g).map(\.id).contains("ir.use-before-definition"))
    }

    func testDoubleDefinitionIsRejected() {
        var (g, _, _, y) = smallGraph()
        g.instructions[3].result = y
        XCTAssertTrue(Verifier.verify(g).map(\.id).contains("ir.double-definition"))
    }

    func testUndefinedOutputAndValueAreRejected() {
        var (g, _, _, _) = smallGraph()
        g.outputs.append(GraphOutput(name: "ghost", value: ValueID(99)))
        g.instructions[3].operands = [ValueID(77)]
        let ids = Verifier.verify(g).map(\.id)
        XCTAssertTrue(ids.contains("ir.undefined-output"))
        XCTAssertTrue(ids.contains("ir.undefined-value"))
    }

    func testDuplicateOutputNameIsRejected() {
        var (g, _, _, y) = smallGraph()
        g.outputs.append(GraphOutput(name: "out", value: y))
        XCTAssertEqual(Verifier.verify(g).map(\.id), ["ir.duplicate-output"])
    }

    func testDuplicateInputNameIsRejected() {
        var (g, _, _, _) = smallGraph()
        g.instructions[1].name = "images"
        XCTAssertTrue(Verifier.verify(g).map(\.id).contains("ir.duplicate-input"))
    }

    func testPrinterFormat() {
        let (g, _, _, _) = smallGraph()
        XCTAssertEqual(Printer().print(g), """
        %images = input : f32[2,8,8,3]
        %conv2d.kernel = parameter : f32[3,3,3,4]
        %2 = conv2d(%images, %conv2d.kernel) window=3x3 stride=1 pad=same : f32[2,8,8,4]  # conv2d
        %3 = relu(%2) : f32[2,8,8,4]  # conv2d
        return out=%3

        """)
    }

    func testFusionBodyIsTypedAndPrinted() {
        var body = Graph()
        let a = body.input("arg0", .f32([2, 3]), role: .argument)
        let b = body.input("arg1", .f32([3]), role: .argument)
        let s = body.emit(.biasAdd, [a, b])
        let r = body.emit(.activation(.relu), [s])
        body.outputs = [GraphOutput(name: "result", value: r)]
        var g = Graph()
        let x = g.input("x", .f32([2, 3]), role: .data)
        let bias = g.input("b", .f32([3]), role: .parameter)
        let f = g.emit(.fusion(kind: .loop, body: body), [x, bias])
        g.instructions[g.instructions.count - 1].attributes["tile"] = "128x128"
        g.outputs = [GraphOutput(name: "y", value: f)]
        XCTAssertEqual(Verifier.verify(g).map(\.message), [])
        XCTAssertTrue(Printer().print(g).contains("%2 = fusion.loop(%x, %b) tile=128x128 : f32[2,3] {\n  %arg0 = argument : f32[2,3]\n"))
        g.instructions[2].type = .f32([3, 2])
        XCTAssertEqual(Verifier.verify(g).first?.id, "ir.type-mismatch")
    }
}

/// Editing helpers used by the optimizer's passes.
final class GraphRewriteTests: XCTestCase {
    func testReplaceAllUsesAndFusionBody() throws {
        var g = Graph()
        let x = g.input("x", .f32([2, 3]), role: .data)
        let b = g.input("b", .f32([3]), role: .parameter)
        let s = g.emit(.biasAdd, [x, b])
        let r = g.emit(.activation(.relu), [s])
        g.outputs = [GraphOutput(name: "y", value: r)]
        XCTAssertEqual(g.users()[s], [3])
        let body = Graph.fusionBody(arguments: [.f32([2, 3]), .f32([3])]) { f, a in
            f.emit(.activation(.relu), [f.emit(.biasAdd, [a[0], a[1]])])
        }
        let fused = g.emit(.fusion(kind: .loop, body: body), [x, b])
        g.replaceAllUses(of: r, with: fused)
        XCTAssertEqual(g.outputs[0].value, fused)
        XCTAssertEqual(Verifier.verify(g).map(\.message), [])
        let out = try Interpreter<Float>().run(g, inputs: ["x": Tensor(shape: [2, 3], scalars: [1, -1, 2, -2, 0, 3]),
                                                           "b": Tensor(shape: [3], scalars: [0, 0.5, -1])])
        XCTAssertEqual(out["y"]!.scalars, [1, 0, 1, 0, 0.5, 2])
    }
}
