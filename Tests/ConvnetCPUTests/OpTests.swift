import ConvnetTestSupport
import XCTest
import ConvnetIR
import ConvnetSyntax
@testable import ConvnetCPU

/// Every op kind of the unfused IR, alone on small shapes: the CPU executable against the
/// reference interpreter.
final class OpTests: XCTestCase {
    /// Builds `op(x0, x1, ...)` with inputs of the given types, runs both backends on the same
    /// random inputs (positive ones when `positive`; i32 inputs in 0..<3), and compares the result.
    func check(_ op: Op, _ operands: [TensorType], declared: TensorType? = nil, positive: Bool = false,
               tolerance: Float = 1e-4, file: StaticString = #filePath, line: UInt = #line) throws {
        var g = Graph()
        let inputs = operands.enumerated().map { g.input("x\($0.offset)", $0.element, role: .data) }
        let y: ValueID
        if case .constant = op {
            y = g.append(op, [], declared!)
        } else {
            y = g.emit(op, inputs, declared: declared)
        }
        g.outputs = [GraphOutput(name: "y", value: y)]
        XCTAssertEqual(Verifier.verify(g).map(\.message), [], file: file, line: line)
        let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 1)
        let cpu = try CPUCompiler().compile(program)
        let reference = ReferenceExecutable(program)
        var rng = TestRandom(seed: 5)
        for (i, t) in operands.enumerated() {
            if t.element == .i32 {
                let v = (0..<t.elementCount).map { _ in Int32(rng.next() % 3) }
                _ = cpu.int32s(input: "x\(i)").update(fromContentsOf: v)
                _ = reference.int32s(input: "x\(i)").update(fromContentsOf: v)
            } else {
                let v = rng.values(t.elementCount, positive ? 0.1 : -1, positive ? 2 : 1).map(Float.init)
                _ = cpu.floats(input: "x\(i)").update(fromContentsOf: v)
                _ = reference.floats(input: "x\(i)").update(fromContentsOf: v)
            }
        }
        try cpu.run()
        try reference.run()
        let a = cpu.floats(output: "y"), b = reference.floats(output: "y")
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        let error = maxRelativeError(a, b)
        XCTAssertLessThanOrEqual(error, tolerance, "\(op.mnemonic): \(Array(a.prefix(6))) vs \(Array(b.prefix(6)))",
                                 file: file, line: line)
        XCTAssertTrue(b.contains { $0 != 0 } || op.mnemonic == "constant", "\(op.mnemonic) computed nothing",
                      file: file, line: line)
    }

    func testElementwise() throws {
        let t = TensorType.f32([3, 5, 7]), s = TensorType.scalar
        for u in UnaryOp.allCases { try check(.unary(u), [t], positive: true) }
        try check(.unary(.neg), [t])
        for b in BinaryOp.allCases {
            try check(.binary(b), [t, t], positive: true)
            try check(.binary(b), [t, s], positive: true)
            try check(.binary(b), [s, t], positive: true)
            try check(.binary(b), [s, s], positive: true)
        }
        for f in ActivationFunction.allCases {
            try check(.activation(f), [t])
            try check(.activationGrad(f), [t, t])
        }
        try check(.biasAdd, [.f32([2, 4, 4, 5]), .f32([5])])
        try check(.biasGrad, [.f32([2, 4, 4, 5])])
        try check(.broadcast, [s], declared: .f32([2, 3]))
        try check(.reduceSum, [t])
        try check(.reshape, [.f32([2, 3, 4])], declared: .f32([6, 4]))
        try check(.convert, [t], declared: t)
        try check(.constant(0.25), [], declared: .f32([3]))
    }

    func testConvolutionsAndGradients() throws {
        let x = TensorType.f32([2, 7, 7, 3])
        let cases: [(Int, Int, Padding)] = [(3, 1, .same), (3, 1, .valid), (3, 2, .same), (3, 2, .valid),
                                             (1, 1, .same), (2, 2, .valid)]
        for (k, s, p) in cases {
            let attrs = ConvAttributes(kernelHeight: k, kernelWidth: k, stride: s, padding: p)
            let w = TensorType.f32([k, k, 3, 4])
            try check(.conv2d(attrs), [x, w])
            let oh = attrs.outputExtent(7, kernel: k)
            let dy = TensorType.f32([2, oh, oh, 4])
            try check(.conv2dInputGrad(attrs), [dy, w], declared: x)
            try check(.conv2dFilterGrad(attrs), [x, dy])
            try check(.im2col(attrs), [x])
            try check(.col2im(attrs), [.f32([2 * oh * oh, k * k * 3])], declared: x)
        }
    }

    func testMatmulTransposes() throws {
        try check(.matmul(transposeA: false, transposeB: false), [.f32([4, 6]), .f32([6, 5])])
        try check(.matmul(transposeA: true, transposeB: false), [.f32([6, 4]), .f32([6, 5])])
        try check(.matmul(transposeA: false, transposeB: true), [.f32([4, 6]), .f32([5, 6])])
        try check(.matmul(transposeA: true, transposeB: true), [.f32([6, 4]), .f32([5, 6])])
    }

    func testPoolsAndMeans() throws {
        let x = TensorType.f32([2, 7, 7, 3])
        let pools = [(2, 2), (3, 2), (2, 1), (2, 3), (3, 3), (1, 2)].map { PoolAttributes(size: $0.0, stride: $0.1) }
        // Same padding (every one of these pads a 7x7 input): Xception's 3/2, 2/2 after only, 3/1 both sides.
        let same = [(3, 2), (2, 2), (3, 1), (2, 3)].map { PoolAttributes(size: $0.0, stride: $0.1, padding: .same) }
        for p in pools + same {
            let oh = p.outputExtent(7)
            try check(.maxPool(p), [x])
            try check(.avgPool(p), [x])
            try check(.maxPoolGrad(p), [x, .f32([2, oh, oh, 3])])
            try check(.avgPoolGrad(p), [.f32([2, oh, oh, 3])], declared: x)
        }
        try check(.spatialMean, [x])
        try check(.spatialMeanGrad, [.f32([2, 3])], declared: x)
    }

    func testDropout() throws {
        let x = TensorType.f32([4, 9, 5]), seed = TensorType.i32([])
        try check(.dropout(DropoutAttributes(rate: 0.3, salt: 2)), [x, seed])
        try check(.dropoutGrad(DropoutAttributes(rate: 0.5, salt: 7)), [x, seed])
    }

    func testBatchNorm() throws {
        let x = TensorType.f32([2, 4, 4, 5]), c = TensorType.f32([5])
        try check(.batchNormTraining(epsilon: 1e-3), [x, c, c])
        try check(.batchNormInference(epsilon: 1e-3), [x, c, c, c, c], positive: true)
        try check(.batchMean, [x])
        try check(.batchVariance, [x])
        try check(.batchNormGradInput(epsilon: 1e-3), [x, x, c])
        try check(.batchNormGradGamma(epsilon: 1e-3), [x, x])
    }

    func testSoftmaxAndLoss() throws {
        let logits = TensorType.f32([6, 3]), labels = TensorType.i32([6])
        try check(.softmax, [logits])
        try check(.softmaxGrad, [logits, logits])
        for smoothing in [0, 0.1] {
            try check(.softmaxCrossEntropy(labelSmoothing: smoothing), [logits, labels])
            try check(.softmaxCrossEntropyGrad(labelSmoothing: smoothing), [logits, labels, .scalar])
        }
        try check(.correctCount, [logits, labels])
    }

    func testCustomOpIsAClearError() {
        var g = Graph()
        let x = g.input("x", .f32([2]), role: .data)
        let y = g.append(.custom("my_kernel"), [x], .f32([2]), layer: "mystery")
        g.outputs = [GraphOutput(name: "y", value: y)]
        let program = IRProgram(kind: .inference, graph: g, parameters: [], optimizerSlots: [], batch: 1)
        XCTAssertThrowsError(try CPUCompiler().compile(program)) { error in
            XCTAssertEqual("\(error)", "the CPU backend has no kernel for custom op 'my_kernel' (layer mystery)")
        }
    }
}
