import ConvnetTestSupport
import XCTest
import ConvnetSyntax
@testable import ConvnetIR

/// Every op with a VJP rule, checked against central finite differences in Double.
final class OpGradientTests: XCTestCase {
    var rng = TestRandom(seed: 42)

    func arg(_ name: String, _ shape: [Int], positive: Bool = false) -> CheckArg {
        let n = shape.reduce(1, *)
        return CheckArg(name, .f32(shape), positive ? rng.values(n, 0.5, 2) : rng.awayFromZero(n))
    }

    func testUnaryOps() {
        for op in UnaryOp.allCases {
            assertGradientsMatchFiniteDifferences([arg("x", [2, 3], positive: true)]) { g, v in g.unary(op, v[0]) }
        }
    }

    func testBinaryOpsSameShape() {
        for op in BinaryOp.allCases {
            assertGradientsMatchFiniteDifferences([arg("a", [2, 3], positive: true), arg("b", [2, 3], positive: true)]) {
                g, v in g.binary(op, v[0], v[1])
            }
        }
    }

    func testBinaryOpsWithBroadcastScalar() {
        for op in BinaryOp.allCases {
            assertGradientsMatchFiniteDifferences([arg("a", [2, 3], positive: true), arg("s", [], positive: true)]) {
                g, v in g.binary(op, v[0], v[1])
            }
            assertGradientsMatchFiniteDifferences([arg("s", [], positive: true), arg("b", [4], positive: true)]) {
                g, v in g.binary(op, v[0], v[1])
            }
        }
    }

    func testActivations() {
        for f in ActivationFunction.allCases {
            assertGradientsMatchFiniteDifferences([arg("x", [2, 5])]) { g, v in g.emit(.activation(f), [v[0]]) }
        }
    }

    func testSoftmax() {
        assertGradientsMatchFiniteDifferences([arg("x", [3, 4])]) { g, v in g.emit(.softmax, [v[0]]) }
    }

    func testShapeOps() {
        assertGradientsMatchFiniteDifferences([arg("s", [])]) { g, v in g.emit(.broadcast, [v[0]], declared: .f32([2, 3])) }
        assertGradientsMatchFiniteDifferences([arg("x", [2, 3])]) { g, v in g.emit(.reduceSum, [v[0]]) }
        assertGradientsMatchFiniteDifferences([arg("x", [2, 2, 2, 3])]) { g, v in g.emit(.reshape, [v[0]], declared: .f32([2, 12])) }
    }

    func testConv2dAllPaddingsAndStrides() {
        for (stride, padding) in [(1, Padding.same), (2, .same), (1, .valid), (2, .valid)] {
            let c = ConvAttributes(kernelHeight: 3, kernelWidth: 2, stride: stride, padding: padding)
            assertGradientsMatchFiniteDifferences([arg("x", [2, 5, 4, 2]), arg("w", [3, 2, 2, 3])]) { g, v in
                g.emit(.conv2d(c), [v[0], v[1]])
            }
        }
    }

    func testConvGradientsAreThemselvesDifferentiable() {
        let c = ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .same)
        // x (1,5,5,2) -> y (1,3,3,3)
        assertGradientsMatchFiniteDifferences([arg("dy", [1, 3, 3, 3]), arg("w", [3, 3, 2, 3])]) { g, v in
            g.emit(.conv2dInputGrad(c), [v[0], v[1]], declared: .f32([1, 5, 5, 2]))
        }
        assertGradientsMatchFiniteDifferences([arg("x", [1, 5, 5, 2]), arg("dy", [1, 3, 3, 3])]) { g, v in
            g.emit(.conv2dFilterGrad(c), [v[0], v[1]])
        }
    }

    func testMatmulAllTransposes() {
        for ta in [false, true] {
            for tb in [false, true] {
                let a = ta ? [4, 3] : [3, 4], b = tb ? [2, 4] : [4, 2]
                assertGradientsMatchFiniteDifferences([arg("a", a), arg("b", b)]) { g, v in
                    g.emit(.matmul(transposeA: ta, transposeB: tb), [v[0], v[1]])
                }
            }
        }
    }

    func testBiasAdd() {
        assertGradientsMatchFiniteDifferences([arg("x", [2, 3, 3, 4]), arg("b", [4])]) { g, v in g.emit(.biasAdd, [v[0], v[1]]) }
    }

    func testIm2colAndCol2im() {
        let c = ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .same)
        assertGradientsMatchFiniteDifferences([arg("x", [1, 5, 4, 2])]) { g, v in g.emit(.im2col(c), [v[0]]) }
        // (1,5,4,2) -> OH 3, OW 2 -> cols (6, 18)
        assertGradientsMatchFiniteDifferences([arg("cols", [6, 18])]) { g, v in
            g.emit(.col2im(c), [v[0]], declared: .f32([1, 5, 4, 2]))
        }
    }

    func testPools() {
        let valid = [PoolAttributes(size: 2, stride: 2), PoolAttributes(size: 3, stride: 1), PoolAttributes(size: 2, stride: 3)]
        // Same padding on a 6x5 input: padded before and after (3/1, 3/2), after only (2/2 on 5).
        let same = [PoolAttributes(size: 3, stride: 1, padding: .same), PoolAttributes(size: 3, stride: 2, padding: .same),
                    PoolAttributes(size: 2, stride: 2, padding: .same)]
        for p in valid + same {
            assertGradientsMatchFiniteDifferences([arg("x", [2, 6, 5, 2])]) { g, v in g.emit(.maxPool(p), [v[0]]) }
            assertGradientsMatchFiniteDifferences([arg("x", [2, 6, 5, 2])]) { g, v in g.emit(.avgPool(p), [v[0]]) }
        }
    }

    func testSpatialMean() {
        assertGradientsMatchFiniteDifferences([arg("x", [2, 3, 4, 5])]) { g, v in g.emit(.spatialMean, [v[0]]) }
    }

    func testDropout() {
        let seed = CheckArg("seed", .i32([]), [1234])
        assertGradientsMatchFiniteDifferences([arg("x", [4, 10]), seed]) { g, v in
            g.emit(.dropout(DropoutAttributes(rate: 0.4, salt: 3)), [v[0], v[1]])
        }
    }

    func testBatchNormTrainingOnRank4AndRank2() {
        for shape in [[2, 3, 2, 3], [5, 4]] {
            let c = shape.last!
            assertGradientsMatchFiniteDifferences(
                [arg("x", shape), arg("gamma", [c], positive: true), arg("beta", [c])], tolerance: 1e-5
            ) { g, v in g.emit(.batchNormTraining(epsilon: 1e-3), [v[0], v[1], v[2]]) }
        }
    }

    func testBatchNormInferenceAndBatchMean() {
        assertGradientsMatchFiniteDifferences([arg("x", [2, 2, 2, 3]), arg("gamma", [3]), arg("beta", [3], positive: false),
                                               arg("mean", [3]), arg("var", [3], positive: true)].enumerated().map {
            var a = $0.element
            a.differentiable = $0.offset == 0
            return a
        }) { g, v in g.emit(.batchNormInference(epsilon: 1e-3), v) }
        assertGradientsMatchFiniteDifferences([arg("x", [2, 2, 3])]) { g, v in g.emit(.batchMean, [v[0]]) }
    }

    func testSoftmaxCrossEntropy() {
        let labels = CheckArg("labels", .i32([3]), [2, 0, 1])
        for smoothing in [0, 0.2] {
            assertGradientsMatchFiniteDifferences([arg("logits", [3, 4]), labels]) { g, v in
                g.emit(.softmaxCrossEntropy(labelSmoothing: smoothing), [v[0], v[1]])
            }
        }
    }

    /// Label smoothing's loss is Keras' categorical cross-entropy against the smoothed targets:
    /// -sum_k q_k log softmax(z)_k, q = onehot * (1 - s) + s / K, averaged over rows.
    func testLabelSmoothingLossIsTheSmoothedTargetsCrossEntropy() throws {
        var g = Graph()
        let logits = g.input("logits", .f32([2, 3]), role: .data)
        let labels = g.input("labels", .i32([2]), role: .data)
        g.outputs = [GraphOutput(name: "loss", value: g.emit(.softmaxCrossEntropy(labelSmoothing: 0.3), [logits, labels]))]
        let z: [Double] = [1.0, -0.5, 2.0, 0.25, 0.75, -1.5], y = [2, 0]
        let out = try Interpreter<Double>().run(g, inputs: [
            "logits": Tensor(shape: [2, 3], scalars: z), "labels": Tensor(labels: y),
        ])
        var expected = 0.0
        for b in 0..<2 {
            let row = Array(z[(b * 3)..<(b * 3 + 3)])
            let lse = log(row.map { exp($0) }.reduce(0, +))
            for k in 0..<3 { expected += ((k == y[b] ? 0.7 : 0) + 0.1) * (lse - row[k]) }
        }
        XCTAssertEqual(out["loss"]!.scalar, expected / 2, accuracy: 1e-12)
    }

    /// A value used twice accumulates both adjoints.
    func testFanOutAccumulates() {
        assertGradientsMatchFiniteDifferences([arg("x", [3])]) { g, v in
            let sq = g.mul(v[0], v[0])
            return g.add(g.emit(.activation(.tanh), [sq]), g.mul(sq, v[0]))
        }
    }

    func testNonDifferentiableOpIsReported() {
        var g = Graph()
        let x = g.input("x", .f32([2]), role: .parameter)
        let y = g.input("y", .f32([2]), role: .data)
        let d = g.emit(.activationGrad(.relu), [x, y])
        let l = g.emit(.reduceSum, [d])
        XCTAssertThrowsError(try Autodiff.gradients(of: l, wrt: [x], in: &g))
    }

    func testUnusedInputGetsZeroGradient() throws {
        var g = Graph()
        let x = g.input("x", .f32([2]), role: .parameter)
        let z = g.input("z", .f32([3]), role: .parameter)
        let l = g.emit(.reduceSum, [x])
        let grads = try Autodiff.gradients(of: l, wrt: [x, z], in: &g)
        g.outputs = [GraphOutput(name: "dz", value: grads[1])]
        XCTAssertEqual(Verifier.verify(g).count, 0)
        let out = try Interpreter<Float>().run(g, inputs: ["x": Tensor(shape: [2], scalars: [1, 2]),
                                                           "z": Tensor(shape: [3], scalars: [1, 2, 3])])
        XCTAssertEqual(out["dz"]?.scalars, [0, 0, 0])
    }
}
