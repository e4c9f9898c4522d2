import ConvnetTestSupport
import XCTest
import ConvnetIR
import ConvnetOptimizer
@testable import ConvnetCPU

/// Fusions as the CPU target's pipeline plans them (or hand-built loop fusions) against the
/// interpreter (which evaluates the builder's ops, or the body).
final class FusionTests: XCTestCase {
    /// A body graph of `arguments` argument inputs; `build` appends its instructions and
    /// returns the result.
    func body(_ arguments: [TensorType], _ build: (inout Graph, [ValueID]) -> ValueID) -> Graph {
        var g = Graph()
        let args = arguments.enumerated().map { g.input("arg\($0.offset)", $0.element, role: .argument) }
        let r = build(&g, args)
        g.outputs = [GraphOutput(name: "result", value: r)]
        return g
    }

    /// Runs `graph` (inputs x0... of `types`) on both backends with the same random values and
    /// returns the CPU steps' op names.
    @discardableResult
    func compare(_ g: Graph, _ types: [TensorType], tolerance: Float = 1e-4,
                 file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        XCTAssertEqual(Verifier.verify(g).map(\.message), [], file: file, line: line)
        let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 1)
        let cpu = try CPUCompiler().compileOptimized(program)
        let reference = ReferenceExecutable(program)
        var rng = TestRandom(seed: 3)
        for (i, t) in types.enumerated() {
            let v = rng.values(t.elementCount, 0.1, 1.5).map(Float.init)
            _ = cpu.floats(input: "x\(i)").update(fromContentsOf: v)
            _ = reference.floats(input: "x\(i)").update(fromContentsOf: v)
        }
        try cpu.run()
        try reference.run()
        for o in g.outputs {
            let e = maxRelativeError(cpu.floats(output: o.name), reference.floats(output: o.name))
            XCTAssertLessThanOrEqual(e, tolerance, o.name, file: file, line: line)
        }
        cpu.profiling = true
        try cpu.run()
        return cpu.profile.map(\.op)
    }

    /// conv_bias_relu (x: (N, H, W, 3), 3x3 kernel with `stride`) then a max pool of its
    /// result: one step that pools each band of rows as the convolution writes it (direct
    /// kernels) or after it (strided, banded GEMMs). Both results are outputs, so both are checked.
    func convThenPool(batch: Int, size: Int, stride: Int, pool: Int, poolStride: Int, channels: Int = 3) throws -> [String] {
        let x = TensorType.f32([batch, size, size, channels]), w = TensorType.f32([3, 3, channels, 20]), b = TensorType.f32([20])
        let attrs = ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: stride, padding: .same)
        let out = (size + stride - 1) / stride
        var g = Graph()
        let inputs = [x, w, b].enumerated().map { g.input("x\($0.offset)", $0.element, role: .data) }
        let y = g.emit(.activation(.relu), [g.emit(.biasAdd, [g.emit(.conv2d(attrs), [inputs[0], inputs[1]]), inputs[2]])],
                       layer: "conv2d")
        XCTAssertEqual(g.typeOf(y), .f32([batch, out, out, 20]))
        let p = g.emit(.maxPool(PoolAttributes(size: pool, stride: poolStride)), [y], layer: "max_pooling2d")
        g.outputs = [GraphOutput(name: "y", value: y), GraphOutput(name: "pooled", value: p)]
        return try compare(g, [x, w, b])
    }

    func testMaxPoolRunsWithTheConvolutionBeforeIt() throws {
        // Even and odd sizes (an odd size leaves the last row and column out of every window),
        // one and two halves of the batch, 2x2 and 3x3 windows, gaps between windows.
        for (batch, size, pool, poolStride) in [(2, 8, 2, 2), (3, 9, 2, 2), (1, 10, 3, 3), (2, 11, 2, 3)] {
            let ops = try convThenPool(batch: batch, size: size, stride: 1, pool: pool, poolStride: poolStride)
            XCTAssertEqual(ops, ["fusion.conv_bias_relu_max_pool"], "\(batch) x \(size), pool \(pool)/\(poolStride)")
        }
        // 32 input channels: the convolution runs by Winograd, two output rows at a time.
        for size in [8, 9] {
            XCTAssertEqual(try convThenPool(batch: 2, size: size, stride: 1, pool: 2, poolStride: 2, channels: 32),
                           ["fusion.conv_bias_relu_max_pool"])
        }
        // A strided convolution (banded GEMMs, no direct kernels): the pool runs after it, same step.
        XCTAssertEqual(try convThenPool(batch: 2, size: 12, stride: 2, pool: 2, poolStride: 2), ["fusion.conv_bias_relu_max_pool"])
    }

    func testConvBiasReluFusion() throws {
        let x = TensorType.f32([2, 6, 6, 3]), w = TensorType.f32([3, 3, 3, 4]), b = TensorType.f32([4])
        let attrs = ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 1, padding: .same)
        var g = Graph()
        let inputs = [x, w, b].enumerated().map { g.input("x\($0.offset)", $0.element, role: .data) }
        let r = g.emit(.activation(.relu), [g.emit(.biasAdd, [g.emit(.conv2d(attrs), [inputs[0], inputs[1]]), inputs[2]])],
                       layer: "conv2d")
        g.outputs = [GraphOutput(name: "y", value: r)]
        let ops = try compare(g, [x, w, b])
        XCTAssertEqual(ops, ["fusion.conv_bias_relu"], "one kernel call for the whole fusion")
    }

    func testLoopFusionOfElementwiseOps() throws {
        // An Adam-like chain: m = b1 m + (1 - b1) g; out = p - lr * m / (sqrt(v) + eps), plus a bias.
        let t = TensorType.f32([5, 7, 3]), s = TensorType.scalar, c = TensorType.f32([3])
        let fused = body([t, t, t, t, s, c]) { g, a in
            let b1 = g.constant(0.9), rest = g.constant(0.1), eps = g.constant(1e-7)
            let m = g.add(g.mul(a[1], b1), g.mul(a[2], rest))
            let denom = g.add(g.unary(.sqrt, a[3]), eps)
            let step = g.div(g.mul(m, a[4]), denom)
            let p = g.sub(a[0], step)
            return g.emit(.activation(.tanh), [g.emit(.biasAdd, [p, a[5]])])
        }
        var g = Graph()
        let types = [t, t, t, t, s, c]
        let inputs = types.enumerated().map { g.input("x\($0.offset)", $0.element, role: .data) }
        let r = g.emit(.fusion(kind: .loop, body: fused), inputs, declared: t, layer: "optimizer")
        g.outputs = [GraphOutput(name: "y", value: r)]
        let ops = try compare(g, types)
        XCTAssertEqual(ops, ["fusion.loop"])
    }

    /// The optimizer's backward fusion (a producer with the activation gradient as epilogue)
    /// followed by the bias gradient of its result: the mask and the channel sums run as one
    /// pass in place.
    func testBackwardFusionThenBiasGradient() throws {
        let x = TensorType.f32([2, 6, 6, 4]), dy = TensorType.f32([2, 3, 3, 4])
        let p = PoolAttributes(size: 2, stride: 2)
        for f in ActivationFunction.allCases {
            var g = Graph()
            let inputs = [x, dy, x].enumerated().map { g.input("x\($0.offset)", $0.element, role: .data) }
            let r = g.emit(.activationGrad(f), [g.emit(.maxPoolGrad(p), [inputs[0], inputs[1]]), inputs[2]])
            let db = g.emit(.biasGrad, [r])
            g.outputs = [GraphOutput(name: "dx", value: r), GraphOutput(name: "db", value: db)]
            let ops = try compare(g, [x, dy, x])
            XCTAssertEqual(ops, Array(repeating: "fusion.max_pool_grad_\(f.rawValue)_grad_bias_grad", count: 2), "\(ops)")
        }
    }

    /// A loop body that converts i32 labels to floats is not a float loop; it still runs.
    func testFusionConvertingIntegers() throws {
        var body = Graph()
        let labels = body.input("arg0", .i32([6]), role: .argument)
        let x = body.input("arg1", .f32([6]), role: .argument)
        let f = body.emit(.convert, [labels], declared: .f32([6]))
        body.outputs = [GraphOutput(name: "result", value: body.add(f, x))]
        var g = Graph()
        let l = g.input("labels", .i32([6]), role: .data), xv = g.input("x0", .f32([6]), role: .data)
        let r = g.emit(.fusion(kind: .loop, body: body), [l, xv], declared: .f32([6]))
        g.outputs = [GraphOutput(name: "y", value: r)]
        let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 1)
        let cpu = try CPUCompiler().compile(program)
        _ = cpu.int32s(input: "labels").update(fromContentsOf: [0, 1, 2, 3, 4, 5] as [Int32])
        _ = cpu.floats(input: "x0").update(fromContentsOf: [Float](repeating: 0.5, count: 6))
        try cpu.run()
        XCTAssertEqual(Array(cpu.floats(output: "y")), [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
    }
}
