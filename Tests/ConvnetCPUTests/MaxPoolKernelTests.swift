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

    static let shapes = [
        PoolGeometry(batch: 2, inHeight: 6, inWidth: 8, channels: 5, pool: 2, stride: 2),
        PoolGeometry(batch: 3, inHeight: 7, inWidth: 5, channels: 17, pool: 2, stride: 2),   // odd sizes: uncovered edge
        PoolGeometry(batch: 1, inHeight: 9, inWidth: 9, channels: 3, pool: 2, stride: 3),    // gaps between windows
        PoolGeometry(batch: 2, inHeight: 6, inWidth: 6, channels: 4, pool: 3, stride: 3),
        PoolGeometry(batch: 2, inHeight: 8, inWidth: 8, channels: 33, pool: 2, stride: 2),   // channels past two vectors
    ]

    /// Forward (with and without recording winners) and backward (from the record and from a
    /// search of x) equal the reference, ties and all.
    func testForwardAndBackwardEqualReference() {
        for (s, g) in Self.shapes.enumerated() {
            let x = grid(g.inputCount, seed: UInt64(s) + 1), dy = grid(g.outputCount, seed: UInt64(s) + 100)
            var expectedY = [Float](repeating: 0, count: g.outputCount)
            PoolingReference.forward(g, input: x, output: &expectedY, isMax: true)
            var expectedDX = [Float](repeating: 0, count: g.inputCount)
            PoolingReference.backward(g, input: x, outputGradient: dy, inputGradient: &expectedDX, isMax: true)

            var y = [Float](repeating: .nan, count: g.outputCount)
            MaxPoolKernels.forward(g, input: x, output: &y)
            XCTAssertEqual(y, expectedY, "shape \(s)")
            var recordedY = [Float](repeating: .nan, count: g.outputCount)
            var codes = [UInt8](repeating: 0xAA, count: MaxPoolKernels.winnerBytes(g))
            MaxPoolKernels.forward(g, input: x, output: &recordedY, winners: &codes)
            XCTAssertEqual(recordedY, expectedY, "shape \(s)")

            var searched = [Float](repeating: .nan, count: g.inputCount)
            MaxPoolKernels.backward(g, input: x, outputGradient: dy, inputGradient: &searched)
            XCTAssertEqual(searched, expectedDX, "shape \(s), winners searched")
            // The record alone: x is not read when winners are given.
            let poisoned = [Float](repeating: .nan, count: g.inputCount)
            var recorded = [Float](repeating: .nan, count: g.inputCount)
            MaxPoolKernels.backward(g, input: poisoned, winners: codes, outputGradient: dy, inputGradient: &recorded)
            XCTAssertEqual(recorded, expectedDX, "shape \(s), winners recorded")
        }
    }

    /// relu -> max pool backward + bias gradient in one pass equals the reference backward,
    /// masked by x > 0, and its column sums.
    func testBackwardReluEqualsBackwardThenMaskThenSum() {
        for (s, g) in Self.shapes.enumerated() {
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

            // From the forward pass's record, x poisoned.
            var y = [Float](repeating: 0, count: g.outputCount)
            var codes = [UInt8](repeating: 0, count: MaxPoolKernels.winnerBytes(g))
            MaxPoolKernels.forward(g, input: x, output: &y, winners: &codes)
            let poisoned = [Float](repeating: .nan, count: g.inputCount)
            var recorded = [Float](repeating: .nan, count: g.inputCount)
            var recordedSums = [Double](repeating: .nan, count: g.channels)
            MaxPoolKernels.backwardRelu(g, input: poisoned, winners: codes, outputGradient: dy, inputGradient: &recorded,
                                        biasSums: &recordedSums)
            XCTAssertEqual(recorded, expected, "shape \(s), winners recorded")
            XCTAssertEqual(recordedSums, sums, "shape \(s), winners recorded")
        }
    }
}
