import XCTest
import ConvnetKernels
@testable import ConvnetCPU

/// The executor's max-pool kernels against the reference (`PoolingReference`).
final class MaxPoolKernelTests: XCTestCase {
    /// Values on a coarse grid so that windows often tie and half of them are <= 0.
    func grid(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int(state >> 59) - 12) * 0.25
        }
    }

    /// relu -> max pool backward + bias gradient in one pass equals the reference backward,
    /// masked by x > 0, and its column sums.
    func testBackwardReluEqualsBackwardThenMaskThenSum() {
        let shapes = [
            PoolGeometry(batch: 2, inHeight: 6, inWidth: 8, channels: 5, pool: 2, stride: 2),
            PoolGeometry(batch: 3, inHeight: 7, inWidth: 5, channels: 17, pool: 2, stride: 2),   // odd sizes: uncovered edge
            PoolGeometry(batch: 1, inHeight: 9, inWidth: 9, channels: 3, pool: 2, stride: 3),    // gaps between windows
            PoolGeometry(batch: 2, inHeight: 6, inWidth: 6, channels: 4, pool: 3, stride: 3),
        ]
        for (s, g) in shapes.enumerated() {
            let x = grid(g.inputCount, seed: UInt64(s) + 1), dy = grid(g.outputCount, seed: UInt64(s) + 100)
            var expected = [Float](repeating: 0, count: g.inputCount)
            PoolingReference.backward(g, input: x, outputGradient: dy, inputGradient: &expected, isMax: true)
            for i in expected.indices where x[i] <= 0 { expected[i] = 0 }
            var expectedSums = [Double](repeating: 0, count: g.channels)
            for i in expected.indices { expectedSums[i % g.channels] += Double(expected[i]) }

            var dx = [Float](repeating: .nan, count: g.inputCount)
            var sums = [Double](repeating: .nan, count: g.channels)
            MaxPoolKernels.backwardRelu(g, input: x, outputGradient: dy, inputGradient: &dx, biasSums: &sums)
            XCTAssertEqual(dx, expected, "shape \(s)")
            for k in 0..<g.channels { XCTAssertEqual(sums[k], expectedSums[k], accuracy: 1e-9, "shape \(s) channel \(k)") }
        }
    }
}
