import ConvnetTestSupport
import XCTest
import ConvnetSyntax
@testable import ConvnetIR

/// The ops branching models add: depthwise convolution and both its gradients, concat and the
/// channel slice its gradient uses, each against central finite differences in Double; and the
/// forward kernels against hand-computed values.
final class GraphOpGradientTests: XCTestCase {
    var rng = TestRandom(seed: 7)

    func arg(_ name: String, _ shape: [Int]) -> CheckArg {
        CheckArg(name, .f32(shape), rng.awayFromZero(shape.reduce(1, *)))
    }

    func testDepthwiseConvAllPaddingsStridesAndMultipliers() {
        for (stride, padding, m) in [(1, Padding.same, 1), (2, .same, 2), (1, .valid, 3), (2, .valid, 1)] {
            let c = ConvAttributes(kernelHeight: 3, kernelWidth: 2, stride: stride, padding: padding)
            assertGradientsMatchFiniteDifferences([arg("x", [2, 5, 4, 2]), arg("w", [3, 2, 2, m])]) { g, v in
                g.emit(.depthwiseConv2d(c), [v[0], v[1]])
            }
        }
    }

    func testDepthwiseGradientOpsAreThemselvesDifferentiable() {
        let c = ConvAttributes(kernelHeight: 3, kernelWidth: 3, stride: 2, padding: .same)
        assertGradientsMatchFiniteDifferences([arg("dy", [1, 3, 3, 4]), arg("w", [3, 3, 2, 2])]) { g, v in
            g.emit(.depthwiseConv2dInputGrad(c), [v[0], v[1]], declared: .f32([1, 5, 5, 2]))
        }
        assertGradientsMatchFiniteDifferences([arg("x", [1, 5, 5, 2]), arg("dy", [1, 3, 3, 4])]) { g, v in
            g.emit(.depthwiseConv2dFilterGrad(c), [v[0], v[1]])
        }
    }

    func testConcatAndChannelSlice() {
        assertGradientsMatchFiniteDifferences([arg("a", [2, 3, 3, 2]), arg("b", [2, 3, 3, 1]), arg("c", [2, 3, 3, 3])]) { g, v in
            g.emit(.concat, v)
        }
        // The same value twice (an identity branch beside itself): adjoints add up.
        assertGradientsMatchFiniteDifferences([arg("a", [2, 4])]) { g, v in g.emit(.concat, [v[0], v[0]]) }
        assertGradientsMatchFiniteDifferences([arg("x", [2, 2, 2, 5])]) { g, v in
            g.emit(.channelSlice(start: 1, count: 3), [v[0]])
        }
    }

    func testDepthwiseForwardByHand() throws {
        // 1x3x3x2 input, 3x3 kernel, multiplier 2, valid: one output pixel, channel c*2+m.
        let x = Tensor<Double>(shape: [1, 3, 3, 2], scalars: (0..<18).map(Double.init))
        let w = Tensor<Double>(shape: [3, 3, 2, 2], scalars: (0..<36).map { Double($0 % 4 == 0 ? 1 : 0) })
        let y = ReferenceKernels.depthwiseConv2d(x, w, ConvAttributes(kernelHeight: 3, kernelWidth: 3, padding: .valid))
        XCTAssertEqual(y.shape, [1, 1, 1, 4])
        // Only w[..., c=0, m=0] is 1: output channel 0 sums channel 0 (0+2+...+16 = 72).
        XCTAssertEqual(y.scalars, [72, 0, 0, 0])
        let joined = ReferenceKernels.concat([Tensor<Double>(shape: [2, 1], scalars: [1, 2]),
                                              Tensor<Double>(shape: [2, 2], scalars: [3, 4, 5, 6])])
        XCTAssertEqual(joined.scalars, [1, 3, 4, 2, 5, 6])
    }
}
