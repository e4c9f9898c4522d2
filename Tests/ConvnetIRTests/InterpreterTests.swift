import ConvnetTestSupport
import Foundation
import XCTest
import ConvnetSyntax
@testable import ConvnetIR

/// The reference interpreter on hand-computed examples, and its extension points.
final class InterpreterTests: XCTestCase {
    func run(_ g: Graph, _ inputs: [String: Tensor<Float>]) throws -> [String: Tensor<Float>] {
        XCTAssertEqual(Verifier.verify(g).map(\.message), [])
        return try Interpreter<Float>().run(g, inputs: inputs)
    }

    func testConvSamePaddingByHand() throws {
        var g = Graph()
        let x = g.input("x", .f32([1, 3, 3, 1]), role: .data)
        let w = g.input("w", .f32([3, 3, 1, 1]), role: .parameter)
        g.outputs = [GraphOutput(name: "y", value: g.emit(.conv2d(ConvAttributes(kernelHeight: 3, kernelWidth: 3)), [x, w]))]
        let y = try run(g, ["x": Tensor(shape: [1, 3, 3, 1], scalars: (1...9).map(Float.init)),
                            "w": Tensor(shape: [3, 3, 1, 1], scalars: Array(repeating: 1, count: 9))])["y"]!
        // 1 2 3 / 4 5 6 / 7 8 9 summed over each zero-padded 3x3 neighbourhood
        XCTAssertEqual(y.scalars, [12, 21, 16, 27, 45, 33, 24, 39, 28])
    }

    /// TensorFlow puts the odd padding pixel after: 4 wide, 3x3 stride 2 pads 0 before, 1 after.
    func testSameStridedPaddingSplitsLikeTensorFlow() throws {
        let c = ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .same)
        XCTAssertEqual(c.padBefore(4, kernel: 3), 0)
        XCTAssertEqual(c.padBefore(5, kernel: 3), 1)
        XCTAssertEqual(c.outputExtent(5, kernel: 3), 3)
        var g = Graph()
        let x = g.input("x", .f32([1, 4, 4, 1]), role: .data)
        let w = g.input("w", .f32([3, 3, 1, 1]), role: .parameter)
        g.outputs = [GraphOutput(name: "y", value: g.emit(.conv2d(c), [x, w]))]
        let y = try run(g, ["x": Tensor(shape: [1, 4, 4, 1], scalars: (1...16).map(Float.init)),
                            "w": Tensor(shape: [3, 3, 1, 1], scalars: Array(repeating: 1, count: 9))])["y"]!
        // (0,0): rows 0-2, cols 0-2 = 1+2+3+5+6+7+9+10+11 = 54; (0,1): rows 0-2, cols 2-3 = 45;
        // (1,0): rows 2-3, cols 0-2 = 72; (1,1): rows 2-3, cols 2-3 = 11+12+15+16 = 54
        XCTAssertEqual(y.scalars, [54, 45, 72, 54])
    }

    /// The lowering the optimizer will do: conv == matmul(im2col(x), reshape(w)).
    func testIm2colMatmulEqualsConv() throws {
        var rng = TestRandom(seed: 8)
        for (stride, padding) in [(1, Padding.same), (2, .same), (2, .valid)] {
            let c = ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: stride, padding: padding)
            var g = Graph()
            let x = g.input("x", .f32([2, 5, 6, 3]), role: .data)
            let w = g.input("w", .f32([3, 3, 3, 4]), role: .parameter)
            let conv = g.emit(.conv2d(c), [x, w])
            let cols = g.emit(.im2col(c), [x])
            let w2 = g.emit(.reshape, [w], declared: .f32([27, 4]))
            let mm = g.emit(.matmul(transposeA: false, transposeB: false), [cols, w2])
            let lowered = g.emit(.reshape, [mm], declared: g.typeOf(conv))
            g.outputs = [GraphOutput(name: "conv", value: conv), GraphOutput(name: "lowered", value: lowered)]
            let out = try run(g, ["x": Tensor(shape: [2, 5, 6, 3], scalars: rng.values(180, -1, 1).map(Float.init)),
                                  "w": Tensor(shape: [3, 3, 3, 4], scalars: rng.values(108, -1, 1).map(Float.init))])
            for (a, b) in zip(out["conv"]!.scalars, out["lowered"]!.scalars) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        }
    }

    func testPoolsAndMeanByHand() throws {
        var g = Graph()
        let x = g.input("x", .f32([1, 2, 4, 1]), role: .data)
        let p = PoolAttributes(size: 2, stride: 2)
        g.outputs = [GraphOutput(name: "max", value: g.emit(.maxPool(p), [x])),
                     GraphOutput(name: "avg", value: g.emit(.avgPool(p), [x])),
                     GraphOutput(name: "mean", value: g.emit(.spatialMean, [x]))]
        let out = try run(g, ["x": Tensor(shape: [1, 2, 4, 1], scalars: [1, 5, 2, 0, 3, 4, 8, 6])])
        XCTAssertEqual(out["max"]!.scalars, [5, 8])
        XCTAssertEqual(out["avg"]!.scalars, [3.25, 4])
        XCTAssertEqual(out["mean"]!.scalars, [29 / 8])
    }

    func testLossAndAccuracyByHand() throws {
        var g = Graph()
        let logits = g.input("logits", .f32([2, 3]), role: .data)
        let labels = g.input("labels", .i32([2]), role: .data)
        g.outputs = [GraphOutput(name: "loss", value: g.emit(.softmaxCrossEntropy(labelSmoothing: 0), [logits, labels])),
                     GraphOutput(name: "correct", value: g.emit(.correctCount, [logits, labels]))]
        let out = try run(g, ["logits": Tensor(shape: [2, 3], scalars: [0, 0, 0, 1, 3, 2]), "labels": Tensor(labels: [1, 2])])
        let row2: Double = 3 + Foundation.log(1 + Foundation.exp(-2.0) + Foundation.exp(-1.0)) - 2  // -log softmax([1,3,2])[2]
        XCTAssertEqual(Double(out["loss"]!.scalar), (Foundation.log(3.0) + row2) / 2, accuracy: 1e-6)
        XCTAssertEqual(out["correct"]!.scalar, 0, "row 1 ties go to index 0; row 2 argmax is 1")
    }

    func testDropoutMaskIsDeterministicAndHasTheRate() throws {
        let n = 20_000
        let kept = (0..<n).filter { DropoutMask.keeps(seed: 5, salt: 2, index: $0, rate: 0.3) }.count
        XCTAssertEqual(Double(kept) / Double(n), 0.7, accuracy: 0.015)
        let a = (0..<64).map { DropoutMask.keeps(seed: 5, salt: 2, index: $0, rate: 0.5) }
        XCTAssertEqual(a, (0..<64).map { DropoutMask.keeps(seed: 5, salt: 2, index: $0, rate: 0.5) })
        XCTAssertNotEqual(a, (0..<64).map { DropoutMask.keeps(seed: 6, salt: 2, index: $0, rate: 0.5) })
        XCTAssertNotEqual(a, (0..<64).map { DropoutMask.keeps(seed: 5, salt: 3, index: $0, rate: 0.5) })
        XCTAssertTrue((0..<100).allSatisfy { DropoutMask.keeps(seed: 1, salt: 0, index: $0, rate: 0) })

        var g = Graph()
        let x = g.input("x", .f32([4, 8]), role: .data)
        let seed = g.input("seed", .i32([]), role: .data)
        g.outputs = [GraphOutput(name: "y", value: g.emit(.dropout(DropoutAttributes(rate: 0.5, salt: 2)), [x, seed]))]
        let y = try run(g, ["x": Tensor(shape: [4, 8], scalars: Array(repeating: 3, count: 32)),
                            "seed": Tensor(.i32, shape: [], scalars: [5])])["y"]!
        XCTAssertEqual(y.scalars, a.prefix(32).map { $0 ? 6 : 0 })
    }

    func testFusionRunsItsBody() throws {
        var body = Graph()
        let a = body.input("arg0", .f32([2, 2]), role: .argument)
        let b = body.input("arg1", .f32([2]), role: .argument)
        body.outputs = [GraphOutput(name: "r", value: body.emit(.activation(.relu), [body.emit(.biasAdd, [a, b])]))]
        var g = Graph()
        let x = g.input("x", .f32([2, 2]), role: .data)
        let bias = g.input("b", .f32([2]), role: .parameter)
        g.outputs = [GraphOutput(name: "y", value: g.emit(.fusion(kind: .loop, body: body), [x, bias]))]
        let y = try run(g, ["x": Tensor(shape: [2, 2], scalars: [1, -2, -3, 4]), "b": Tensor(shape: [2], scalars: [1, 1])])
        XCTAssertEqual(y["y"]!.scalars, [2, 0, 0, 5])
    }

    func testCustomOpRunsRegisteredKernel() throws {
        var g = Graph()
        let x = g.input("x", .f32([3]), role: .data)
        g.outputs = [GraphOutput(name: "y", value: g.append(.custom("double"), [x], .f32([3])))]
        XCTAssertEqual(Verifier.verify(g).count, 0)
        XCTAssertThrowsError(try Interpreter<Float>().run(g, inputs: ["x": Tensor(shape: [3], scalars: [1, 2, 3])]))
        let interpreter = Interpreter<Float>(customKernels: ["double": { _, args in
            Tensor(shape: args[0].shape, scalars: args[0].scalars.map { $0 * 2 })
        }])
        XCTAssertEqual(try interpreter.run(g, inputs: ["x": Tensor(shape: [3], scalars: [1, 2, 3])])["y"]!.scalars, [2, 4, 6])
    }

    func testWrongInputTypeIsReported() {
        var g = Graph()
        let x = g.input("x", .f32([3]), role: .data)
        g.outputs = [GraphOutput(name: "x", value: x)]
        XCTAssertThrowsError(try Interpreter<Float>().run(g, inputs: ["x": Tensor(shape: [4], scalars: [1, 2, 3, 4])]))
        XCTAssertThrowsError(try Interpreter<Float>().run(g, inputs: [:]))
    }
}
