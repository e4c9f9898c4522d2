import ConvnetTestSupport
import XCTest
import ConvnetIR
import ConvnetSyntax
@testable import ConvnetCPU

/// Convolutions as the optimizer lowers them (`im2col` + `matmul` (+ `col2im`), top level and
/// in fusion bodies) run as banded convolutions, never as the whole batch's column matrix,
/// and match the interpreter running the same ops literally.
final class LoweredConvTests: XCTestCase {
    let cases: [ConvAttributes] = [
        ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 1, padding: .same),
        ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .valid),
        ConvAttributes(kernelHeight: 1, kernelWidth: 1, stride: 1, padding: .same),
    ]

    /// Runs `g` (inputs x0...) on both backends with a small band budget; returns the CPU ops.
    func compare(_ g: Graph, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        XCTAssertEqual(Verifier.verify(g).map(\.message), [], file: file, line: line)
        let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 1)
        let cpu = try CPUCompiler(convScratchFloats: 100).compileCPU(program)
        let reference = ReferenceExecutable(program)
        var rng = TestRandom(seed: 9)
        for input in g.inputs {
            let v = rng.values(input.type.elementCount, -1, 1).map(Float.init)
            _ = cpu.floats(input: input.name!).update(fromContentsOf: v)
            _ = reference.floats(input: input.name!).update(fromContentsOf: v)
        }
        try cpu.run()
        try reference.run()
        for o in g.outputs {
            let e = maxRelativeError(cpu.floats(output: o.name), reference.floats(output: o.name))
            XCTAssertLessThanOrEqual(e, 1e-4, o.name, file: file, line: line)
            XCTAssertTrue(reference.floats(output: o.name).contains { $0 != 0 }, file: file, line: line)
        }
        cpu.profiling = true
        try cpu.run()
        return cpu.profile.map(\.op)
    }

    /// cols = im2col(x); y = reshape(matmul(cols, reshape(w))); relu(bias_add(y, b))
    func forward(_ g: inout Graph, _ x: ValueID, _ w: ValueID, _ b: ValueID, _ a: ConvAttributes) -> ValueID {
        let xs = g.typeOf(x).shape, ws = g.typeOf(w).shape
        let oh = a.outputExtent(xs[1], kernel: a.kernelHeight), ow = a.outputExtent(xs[2], kernel: a.kernelWidth)
        let (m, k, n) = (xs[0] * oh * ow, ws[0] * ws[1] * ws[2], ws[3])
        let cols = g.emit(.im2col(a), [x])
        let wm = g.emit(.reshape, [w], declared: .f32([k, n]))
        let y = g.emit(.matmul(transposeA: false, transposeB: false), [cols, wm])
        let y4 = g.emit(.reshape, [y], declared: .f32([xs[0], oh, ow, n]))
        _ = m
        return g.emit(.activation(.relu), [g.emit(.biasAdd, [y4, b])])
    }

    func testForwardAtTopLevelAndInAFusion() throws {
        for a in cases {
            let x = TensorType.f32([3, 7, 7, 4]), w = TensorType.f32([a.kernelHeight, a.kernelWidth, 4, 5])
            let b = TensorType.f32([5])
            var g = Graph()
            let xv = g.input("x", x, role: .data), wv = g.input("w", w, role: .data), bv = g.input("b", b, role: .data)
            let y = forward(&g, xv, wv, bv, a)
            var body = Graph()
            let args = [x, w, b].enumerated().map { body.input("arg\($0.offset)", $0.element, role: .argument) }
            body.outputs = [GraphOutput(name: "result", value: forward(&body, args[0], args[1], args[2], a))]
            let z = g.emit(.fusion(kind: "conv_bias_relu", body: body), [xv, wv, bv], declared: g.typeOf(y))
            g.outputs = [GraphOutput(name: "y", value: y), GraphOutput(name: "z", value: z)]
            XCTAssertEqual(try compare(g), ["conv2d+bias_add+relu", "fusion.conv_bias_relu"], a.printed)
        }
    }

    func testFilterGradient() throws {
        for a in cases {
            let x = TensorType.f32([3, 7, 7, 4])
            let oh = a.outputExtent(7, kernel: a.kernelHeight)
            var g = Graph()
            let xv = g.input("x", x, role: .data), dy = g.input("dy", .f32([3, oh, oh, 5]), role: .data)
            let cols = g.emit(.im2col(a), [xv])
            let dym = g.emit(.reshape, [dy], declared: .f32([3 * oh * oh, 5]))
            let dw = g.emit(.matmul(transposeA: true, transposeB: false), [cols, dym])
            let dw4 = g.emit(.reshape, [dw], declared: .f32([a.kernelHeight, a.kernelWidth, 4, 5]))
            g.outputs = [GraphOutput(name: "dw", value: dw4)]
            XCTAssertEqual(try compare(g), ["conv2d_filter_grad"], a.printed)
        }
    }

    /// The optimizer's backward fusion: input gradient with the previous layer's relu mask.
    func testInputGradientWithActivationEpilogue() throws {
        for a in cases {
            let x = TensorType.f32([3, 7, 7, 4]), w = TensorType.f32([a.kernelHeight, a.kernelWidth, 4, 5])
            let oh = a.outputExtent(7, kernel: a.kernelHeight)
            let dyType = TensorType.f32([3, oh, oh, 5])
            func inputGradient(_ g: inout Graph, _ dy: ValueID, _ w: ValueID) -> ValueID {
                let dym = g.emit(.reshape, [dy], declared: .f32([3 * oh * oh, 5]))
                let wm = g.emit(.reshape, [w], declared: .f32([a.kernelHeight * a.kernelWidth * 4, 5]))
                let dcols = g.emit(.matmul(transposeA: false, transposeB: true), [dym, wm])
                return g.emit(.col2im(a), [dcols], declared: x)
            }
            var g = Graph()
            let dy = g.input("dy", dyType, role: .data), wv = g.input("w", w, role: .data)
            let y = g.input("y", x, role: .data)
            let plain = inputGradient(&g, dy, wv)
            var body = Graph()
            let args = [dyType, w, x].enumerated().map { body.input("arg\($0.offset)", $0.element, role: .argument) }
            let dx = inputGradient(&body, args[0], args[1])
            body.outputs = [GraphOutput(name: "result", value: body.emit(.activationGrad(.relu), [dx, args[2]]))]
            let fused = g.emit(.fusion(kind: "conv_input_grad_relu_grad", body: body), [dy, wv, y], declared: x)
            g.outputs = [GraphOutput(name: "dx", value: plain), GraphOutput(name: "masked", value: fused)]
            XCTAssertEqual(try compare(g), ["conv2d_input_grad", "fusion.conv_input_grad_relu_grad",
                                            "fusion.conv_input_grad_relu_grad"], a.printed)
        }
    }

    /// A lone im2col (no matmul after it) still runs, as the whole matrix.
    func testLoneIm2colRunsLiterally() throws {
        let a = cases[0]
        var g = Graph()
        let x = g.input("x", .f32([2, 5, 5, 3]), role: .data)
        let cols = g.emit(.im2col(a), [x])
        g.outputs = [GraphOutput(name: "cols", value: cols)]
        XCTAssertEqual(try compare(g), ["im2col"])
    }

    /// A liveness-based plan may give a lowered conv's result (defined at the matmul or col2im)
    /// the bytes of its input (last read by the im2col or the matmul); the fused step still
    /// reads the whole input before writing.
    func testOutputsSharingAnInputsBytes() throws {
        struct Plan: BufferPlan {
            var offsets: [ValueID: Int]
            var arenaBytes: Int { 65536 }
            func byteOffset(of value: ValueID) -> Int? { offsets[value] }
        }
        let a = cases[0]
        for kind in ["filter", "forward", "input"] {
            var g = Graph()
            let x = g.input("x", .f32([2, 5, 5, 3]), role: .data)
            let dy = g.input("dy", .f32([2, 5, 5, 4]), role: .data)
            let w = g.input("w", .f32([3, 3, 3, 4]), role: .data)
            var offsets: [ValueID: Int] = [x: 0, dy: 4096, w: 8192]
            let result: ValueID
            switch kind {
            case "filter":  // dw on top of x
                let cols = g.emit(.im2col(a), [x])
                let dym = g.emit(.reshape, [dy], declared: .f32([50, 4]))
                result = g.emit(.matmul(transposeA: true, transposeB: false), [cols, dym])
                offsets[cols] = 12288; offsets[dym] = 4096; offsets[result] = 0
            case "forward":  // y on top of x, shifted
                let cols = g.emit(.im2col(a), [x])
                let wm = g.emit(.reshape, [w], declared: .f32([27, 4]))
                result = g.emit(.matmul(transposeA: false, transposeB: false), [cols, wm])
                offsets[cols] = 12288; offsets[wm] = 8192; offsets[result] = 64
            default:  // dx on top of dy
                let dym = g.emit(.reshape, [dy], declared: .f32([50, 4]))
                let wm = g.emit(.reshape, [w], declared: .f32([27, 4]))
                let dcols = g.emit(.matmul(transposeA: false, transposeB: true), [dym, wm])
                result = g.emit(.col2im(a), [dcols], declared: .f32([2, 5, 5, 3]))
                offsets[dym] = 4096; offsets[wm] = 8192; offsets[dcols] = 12288; offsets[result] = 4096 + 128
            }
            g.outputs = [GraphOutput(name: "r", value: result)]
            let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 1)
            let reference = ReferenceExecutable(program)
            let cpu = try CPUCompiler(convScratchFloats: 30).compileCPU(program, plan: Plan(offsets: offsets))
            var rng = TestRandom(seed: 4)
            for name in ["x", "dy", "w"] {
                let v = rng.values(reference.floats(input: name).count, -1, 1).map(Float.init)
                _ = reference.floats(input: name).update(fromContentsOf: v)
                _ = cpu.floats(input: name).update(fromContentsOf: v)
            }
            try reference.run()
            try cpu.run()
            XCTAssertLessThanOrEqual(maxRelativeError(cpu.floats(output: "r"), reference.floats(output: "r")), 1e-4, kind)
        }
    }
}
