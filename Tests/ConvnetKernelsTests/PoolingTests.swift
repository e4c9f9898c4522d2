import XCTest
@testable import ConvnetKernels

final class PoolingTests: XCTestCase {
    /// Odd sizes (floor), overlapping windows (P 3, S 2), gaps between windows (P 2, S 3), batch 3.
    static let shapes: [PoolGeometry] = [
        PoolGeometry(batch: 3, inHeight: 7, inWidth: 5, channels: 3, pool: 2),
        PoolGeometry(batch: 2, inHeight: 9, inWidth: 8, channels: 2, pool: 3, stride: 2),
        PoolGeometry(batch: 2, inHeight: 8, inWidth: 9, channels: 4, pool: 2, stride: 3),
        PoolGeometry(batch: 1, inHeight: 6, inWidth: 6, channels: 1, pool: 3),
        PoolGeometry(batch: 3, inHeight: 4, inWidth: 4, channels: 5, pool: 1),
        // Same padding: Xception's 3/2 (pad after only on 8, both sides on 9), 2/2 on odd
        // sizes (pad after), 3/1 (pad both sides), a window wider than the input, 2/3 with gaps.
        PoolGeometry(batch: 2, inHeight: 8, inWidth: 9, channels: 3, pool: 3, stride: 2, same: true),
        PoolGeometry(batch: 2, inHeight: 7, inWidth: 5, channels: 2, pool: 2, stride: 2, same: true),
        PoolGeometry(batch: 1, inHeight: 5, inWidth: 6, channels: 4, pool: 3, stride: 1, same: true),
        PoolGeometry(batch: 2, inHeight: 2, inWidth: 3, channels: 2, pool: 4, stride: 2, same: true),
        PoolGeometry(batch: 2, inHeight: 7, inWidth: 8, channels: 2, pool: 2, stride: 3, same: true),
    ]

    func testForwardAndBackwardMatchReference() {
        for (s, g) in Self.shapes.enumerated() {
            let x = Buffer(randomFloats(g.inputCount, seed: UInt64(s)))
            let dy = Buffer(randomFloats(g.outputCount, seed: 50 + UInt64(s)))
            for isMax in [true, false] {
                let y = Buffer(repeating: Float.nan, count: g.outputCount), yRef = Buffer(repeating: Float(0), count: g.outputCount)
                let dx = Buffer(repeating: Float.nan, count: g.inputCount), dxRef = Buffer(repeating: Float(0), count: g.inputCount)
                if isMax {
                    Pooling.maxForward(g, input: x.pointer, output: y.pointer)
                    Pooling.maxBackward(g, input: x.pointer, outputGradient: dy.pointer, inputGradient: dx.pointer)
                } else {
                    Pooling.averageForward(g, input: x.pointer, output: y.pointer)
                    Pooling.averageBackward(g, outputGradient: dy.pointer, inputGradient: dx.pointer)
                }
                PoolingReference.forward(g, input: x.pointer, output: yRef.pointer, isMax: isMax)
                PoolingReference.backward(g, input: x.pointer, outputGradient: dy.pointer, inputGradient: dxRef.pointer, isMax: isMax)
                assertClose(y.array, yRef.array, "forward shape \(s) max \(isMax)")
                assertClose(dx.array, dxRef.array, "backward shape \(s) max \(isMax)")
            }
        }
    }

    func testMaxPoolByHandWithTieGoingToTheFirst() {
        // One 2x4 image, one channel, P 2: windows [1 5; 3 5] and [2 2; 2 0].
        let g = PoolGeometry(batch: 1, inHeight: 2, inWidth: 4, channels: 1, pool: 2)
        let x = Buffer<Float>([1, 5, 2, 2,
                               3, 5, 2, 0])
        let y = Buffer(repeating: Float(0), count: 2), dx = Buffer(repeating: Float(9), count: 8)
        let dy = Buffer<Float>([10, 20])
        Pooling.maxForward(g, input: x.pointer, output: y.pointer)
        XCTAssertEqual(y.array, [5, 2])
        Pooling.maxBackward(g, input: x.pointer, outputGradient: dy.pointer, inputGradient: dx.pointer)
        XCTAssertEqual(dx.array, [0, 10, 20, 0,
                                  0, 0, 0, 0])
    }

    func testBackwardMatchesFiniteDifferences() {
        for s in [1, 2, 5, 7, 8] {
            let g = Self.shapes[s]
            let x = randomFloats(g.inputCount, seed: 70 + UInt64(s)), r = toDouble(randomFloats(g.outputCount, seed: 80))
            for isMax in [true, false] {
                let numeric = numericGradient(toDouble(x)) { xs in
                    let y = Buffer(repeating: 0.0, count: g.outputCount)
                    let xb = Buffer(xs)
                    PoolingReference.forward(g, input: xb.pointer, output: y.pointer, isMax: isMax)
                    return dot(y.array, r)
                }
                let dx = Buffer(repeating: Float(0), count: g.inputCount), dy = Buffer(r.map(Float.init)), xb = Buffer(x)
                if isMax {
                    Pooling.maxBackward(g, input: xb.pointer, outputGradient: dy.pointer, inputGradient: dx.pointer)
                } else {
                    Pooling.averageBackward(g, outputGradient: dy.pointer, inputGradient: dx.pointer)
                }
                assertClose(dx.array, numeric, tolerance: 1e-4, "shape \(s) max \(isMax)")
            }
        }
    }

    /// Keras' same padding by hand: one 3x3 image of negative values, 2x2 windows at stride 2
    /// give a 2x2 output (ceil(3/2)), padded after (TensorFlow's split). The max ignores the
    /// padded positions (a zero pad would win every window here) and the average divides by
    /// the window's real elements (4, 2, 2, 1), as `tf.nn.max_pool2d` / `avg_pool2d` with
    /// `padding="SAME"` do (checked with TensorFlow 2.21: [[-1, -3], [-7, -9]] and
    /// [[-3, -4.5], [-7.5, -9]]).
    func testSamePaddingIgnoresPaddedPositionsAsKerasDoes() {
        let g = PoolGeometry(batch: 1, inHeight: 3, inWidth: 3, channels: 1, pool: 2, stride: 2, same: true)
        XCTAssertEqual([g.outHeight, g.outWidth, g.padTop, g.padLeft], [2, 2, 0, 0])
        XCTAssertTrue(g.isPadded)
        XCTAssertFalse(PoolGeometry(batch: 1, inHeight: 4, inWidth: 4, channels: 1, pool: 2, stride: 2, same: true).isPadded)
        let x = Buffer<Float>([-1, -2, -3,
                               -4, -5, -6,
                               -7, -8, -9])
        let y = Buffer(repeating: Float.nan, count: 4), dx = Buffer(repeating: Float.nan, count: 9)
        Pooling.maxForward(g, input: x.pointer, output: y.pointer)
        XCTAssertEqual(y.array, [-1, -3, -7, -9])
        Pooling.averageForward(g, input: x.pointer, output: y.pointer)
        XCTAssertEqual(y.array, [-3, -4.5, -7.5, -9])
        let dy = Buffer<Float>([4, 2, 2, 1])
        Pooling.averageBackward(g, outputGradient: dy.pointer, inputGradient: dx.pointer)
        XCTAssertEqual(dx.array, [1, 1, 1,
                                  1, 1, 1,
                                  1, 1, 1])
        Pooling.maxBackward(g, input: x.pointer, outputGradient: dy.pointer, inputGradient: dx.pointer)
        XCTAssertEqual(dx.array, [4, 0, 2,
                                  0, 0, 0,
                                  2, 0, 1])
        // 3x3 windows at stride 1 pad one on each side: the centre window sees all nine.
        let g3 = PoolGeometry(batch: 1, inHeight: 3, inWidth: 3, channels: 1, pool: 3, stride: 1, same: true)
        XCTAssertEqual([g3.outHeight, g3.padTop, g3.padLeft], [3, 1, 1])
        let y3 = Buffer(repeating: Float.nan, count: 9)
        Pooling.averageForward(g3, input: x.pointer, output: y3.pointer)
        XCTAssertEqual(y3.array[4], -5)
        XCTAssertEqual(y3.array[0], (-1 - 2 - 4 - 5) / 4)
    }

    func testGlobalAveragePool() {
        let (n, h, w, c) = (3, 5, 7, 4)
        let x = Buffer(randomFloats(n * h * w * c, seed: 9)), dy = Buffer(randomFloats(n * c, seed: 10))
        let y = Buffer(repeating: Float(0), count: n * c), yRef = Buffer(repeating: Float(0), count: n * c)
        let dx = Buffer(repeating: Float.nan, count: n * h * w * c), dxRef = Buffer(repeating: Float(0), count: n * h * w * c)
        GlobalAveragePool.forward(batch: n, height: h, width: w, channels: c, input: x.pointer, output: y.pointer)
        GlobalAveragePool.backward(batch: n, height: h, width: w, channels: c, outputGradient: dy.pointer, inputGradient: dx.pointer)
        PoolingReference.globalAverageForward(batch: n, height: h, width: w, channels: c, input: x.pointer, output: yRef.pointer)
        PoolingReference.globalAverageBackward(batch: n, height: h, width: w, channels: c, outputGradient: dy.pointer,
                                               inputGradient: dxRef.pointer)
        assertClose(y.array, yRef.array)
        assertClose(dx.array, dxRef.array)
        let r = toDouble(dy.array)
        let numeric = numericGradient(toDouble(x.array)) { xs in
            let xb = Buffer(xs), yb = Buffer(repeating: 0.0, count: n * c)
            PoolingReference.globalAverageForward(batch: n, height: h, width: w, channels: c, input: xb.pointer, output: yb.pointer)
            return dot(yb.array, r)
        }
        assertClose(dx.array, numeric, tolerance: 1e-5, "finite differences")
        // By hand: one 1x2 image with channels (1, 2) and (3, 6) averages to (2, 4).
        let small = Buffer(repeating: Float(0), count: 2), tiny = Buffer<Float>([1, 2, 3, 6])
        GlobalAveragePool.forward(batch: 1, height: 1, width: 2, channels: 2, input: tiny.pointer,
                                  output: small.pointer)
        XCTAssertEqual(small.array, [2, 4])
    }
}
