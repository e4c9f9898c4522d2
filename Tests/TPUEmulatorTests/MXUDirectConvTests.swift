import XCTest
import ConvnetOptimizer
@testable import ConvnetKernels
@testable import TPUEmulator

/// The TPU target's direct convolutions (`DirectConv` with bfloat16 numerics) against what the
/// emulated MXU computes for the lowered convolution: `MXU.matmul` (itself bit for bit the
/// cycle-stepped systolic simulation, MXUTests) on explicit im2col matrices.
final class MXUDirectConvTests: XCTestCase {
    static let shapes: [ConvGeometry] = [
        ConvGeometry(batch: 3, inHeight: 7, inWidth: 5, inChannels: 3, kernelHeight: 3, kernelWidth: 3, filters: 4, padding: .same),
        ConvGeometry(batch: 2, inHeight: 6, inWidth: 13, inChannels: 17, kernelHeight: 3, kernelWidth: 3, filters: 30, padding: .same),
        ConvGeometry(batch: 2, inHeight: 5, inWidth: 7, inChannels: 20, kernelHeight: 3, kernelWidth: 3, filters: 70, padding: .valid),
        ConvGeometry(batch: 1, inHeight: 4, inWidth: 5, inChannels: 2, kernelHeight: 2, kernelWidth: 2, filters: 16, padding: .same),
        ConvGeometry(batch: 2, inHeight: 6, inWidth: 9, inChannels: 7, kernelHeight: 3, kernelWidth: 5, filters: 17, padding: .same),
        // K = 9 * 16 = 144 > 128 and F = 130 > 128: chains longer than one MXU tile.
        ConvGeometry(batch: 2, inHeight: 4, inWidth: 6, inChannels: 16, kernelHeight: 3, kernelWidth: 3, filters: 130, padding: .same),
    ]

    /// Indices where the values differ (+0 and -0 count as equal: skipped padding taps may flip
    /// the sign of an all-zero sum, nothing else).
    func mismatches(_ x: [Float], _ y: [Float]) -> [Int] { x.indices.filter { x[$0] != y[$0] } }

    func plan(_ m: Int, _ k: Int, _ n: Int) -> TilePlan { TPUDevice.tpuV2.plan(m: m, k: k, n: n) }

    func testForwardEqualsTheMXUOnIm2col() {
        var rng = SplitMix64(seed: 41)
        for (s, g) in Self.shapes.enumerated() {
            let x = rng.floats(g.inputCount), w = rng.floats(g.weightCount)
            let rows = g.batch * g.pixelsPerImage
            var columns = [Float](repeating: 0, count: rows * g.patchSize)
            ConvReference.im2col(g, input: x, columns: &columns)
            let expected = MXU.matmul(a: columns, b: w, plan: plan(rows, g.patchSize, g.filters))
            var y = [Float](repeating: .nan, count: g.outputCount)
            let conv = DirectConv(g, numerics: .bfloat16)
            XCTAssertTrue(conv.forward(input: x, weights: w, bias: nil, activation: .linear, output: &y))
            XCTAssertEqual(mismatches(y, expected), [], "shape \(s)")
        }
    }

    /// dX = col2im(dY W^T), the columns added in output-pixel order (what the executor's banded
    /// col2im does).
    func testInputGradientEqualsTheMXUThenCol2im() {
        var rng = SplitMix64(seed: 42)
        for (s, g) in Self.shapes.enumerated() {
            let dy = rng.floats(g.outputCount), w = rng.floats(g.weightCount)
            let rows = g.batch * g.pixelsPerImage, k = g.patchSize, c = g.inChannels
            let columns = MXU.matmul(a: dy, b: w, plan: plan(rows, g.filters, k), transposeB: true)   // (rows, K)
            var expected = [Float](repeating: 0, count: g.inputCount)
            for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
                let p = (n * g.outHeight + oh) * g.outWidth + ow
                for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
                    let h = oh - g.padTop + kh, wi = ow - g.padLeft + kw
                    guard h >= 0 && h < g.inHeight && wi >= 0 && wi < g.inWidth else { continue }
                    for ci in 0..<c {
                        expected[((n * g.inHeight + h) * g.inWidth + wi) * c + ci] += columns[p * k + (kh * g.kernelWidth + kw) * c + ci]
                    }
                } }
            } } }
            var dx = [Float](repeating: .nan, count: g.inputCount)
            let conv = DirectConv(g, numerics: .bfloat16)
            XCTAssertTrue(conv.backwardInput(outputGradient: dy, weights: w, inputGradient: &dx))
            XCTAssertEqual(mismatches(dx, expected), [], "shape \(s)")
        }
    }

    /// dW = sum over output rows (one MXU pass each, in order, per image half) of col^T dY.
    func testFilterGradientEqualsOneMXUPassPerRow() {
        var rng = SplitMix64(seed: 43)
        for (s, g) in Self.shapes.enumerated() {
            let x = rng.floats(g.inputCount), dy = rng.floats(g.outputCount)
            let k = g.patchSize, f = g.filters, ow = g.outWidth
            var columns = [Float](repeating: 0, count: g.batch * g.pixelsPerImage * k)
            ConvReference.im2col(g, input: x, columns: &columns)
            let parts = g.batch >= 2 ? 2 : 1
            var expected = [Float](repeating: 0, count: k * f)
            for part in 0..<parts {
                var sums = [Float](repeating: 0, count: k * f)
                for n in Parallel.split(g.batch, parts, part) {
                    for oh in 0..<g.outHeight {
                        let first = (n * g.outHeight + oh) * ow
                        let a = Array(columns[(first * k)..<((first + ow) * k)])                  // (OW, K)
                        let b = Array(dy[(first * f)..<((first + ow) * f)])                       // (OW, F)
                        let product = MXU.matmul(a: a, b: b, plan: plan(k, ow, f), transposeA: true)
                        for i in sums.indices { sums[i] += product[i] }
                    }
                }
                if part == 0 { expected = sums } else { for i in expected.indices { expected[i] += sums[i] } }
            }
            var dw = [Float](repeating: .nan, count: g.weightCount)
            let conv = DirectConv(g, numerics: .bfloat16)
            XCTAssertTrue(conv.backwardFilter(input: x, outputGradient: dy, weightGradient: &dw))
            XCTAssertEqual(mismatches(dw, expected), [], "shape \(s)")
        }
    }

    /// Operands whose products could leave float32's normal range: the direct path declines
    /// (the executor then runs `MXU.matmul` itself).
    func testDeclinesWhenProductsMightBeRounded() {
        let g = Self.shapes[0]
        var rng = SplitMix64(seed: 44)
        var x = rng.floats(g.inputCount), w = rng.floats(g.weightCount)
        var y = [Float](repeating: 0, count: g.outputCount)
        x[5] = 1e-30                                  // times any weight still a normal float32
        XCTAssertTrue(DirectConv(g, numerics: .bfloat16).forward(input: x, weights: w, bias: nil, activation: .linear, output: &y))
        w[3] = 1e-10                                  // 1e-40: subnormal, the product may be rounded
        XCTAssertFalse(DirectConv(g, numerics: .bfloat16).forward(input: x, weights: w, bias: nil, activation: .linear, output: &y))
        x[5] = 0.5; w[3] = 0.5
        x[7] = 3e38; w[2] = 4                         // overflows
        XCTAssertFalse(DirectConv(g, numerics: .bfloat16).forward(input: x, weights: w, bias: nil, activation: .linear, output: &y))
    }

    /// The kernels' rounding is the emulator's `BFloat16.round`, bit for bit, on edge cases and
    /// random bit patterns (NaNs included).
    func testRoundingMatchesTheEmulator() {
        var rng = SplitMix64(seed: 45)
        var values: [Float] = [0, -0, 1, -1, .infinity, -.infinity, .nan, .greatestFiniteMagnitude,
                               .leastNonzeroMagnitude, Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000),
                               Float(bitPattern: 0x7F80_0001)]
        values += (0..<10_000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) }
        // The one rule (`BFloat16Rounding`) against its definition: the nearer of the two
        // bfloat16 neighbours in exact (Double) arithmetic, ties to the even one; NaNs stay NaNs.
        func nearest(_ v: Float) -> Float {
            if v.isNaN { return .nan }
            let down = Float(bitPattern: v.bitPattern & 0xFFFF_0000)
            let up = Float(bitPattern: (v.bitPattern & 0xFFFF_0000) &+ 0x1_0000)  // away from zero (infinity past the top)
            let dd = abs(Double(v) - Double(down)), du = abs(Double(v) - (up.isInfinite ? Double(v.sign == .minus ? -1 : 1) * 0x1p128 : Double(up)))
            if dd != du { return dd < du ? down : up }
            return down.bitPattern & 0x1_0000 == 0 ? down : up
        }
        for chunk in stride(from: 0, to: values.count - 15, by: 16) {
            var lanes = SIMD16<UInt32>()
            for i in 0..<16 { lanes[i] = values[chunk + i].bitPattern }
            let simd = BFloat16Rounding.roundedBits16(lanes)
            for i in 0..<16 { XCTAssertEqual(simd[i], BFloat16Rounding.roundedBits(lanes[i]), "SIMD lane \(lanes[i])") }
        }
        for v in values {
            let r = BFloat16Rounding.round(v)
            if v.isNaN {
                XCTAssertTrue(r.isNaN && r.bitPattern & 0x0040_0000 != 0 && r.sign == v.sign, "\(v.bitPattern)")
            } else if !v.isInfinite {
                XCTAssertEqual(r.bitPattern, nearest(v).bitPattern, "\(v.bitPattern)")
            } else {
                XCTAssertEqual(r, v)
            }
            XCTAssertEqual(BFloat16(v).float.bitPattern, r.bitPattern, "the emulator's BFloat16 rounds by the same rule")
        }
    }

    /// The sixteen-lane rounding of a buffer equals the scalar rule element by element, and its
    /// magnitude range the scalar fold: random bit patterns (NaNs, infinities, subnormals, ties
    /// included), lengths around the vector width, a NaN anywhere.
    func testBufferRoundingEqualsTheScalarRule() {
        var rng = SplitMix64(seed: 77)
        let special: [UInt32] = [0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0001, 0xFF81_2345, 0x0000_0001,
                                 0x0000_8000, 0x3F80_8000, 0x3F81_8000, 0x7F7F_FFFF, 0x3F80_7FFF]
        for count in [0, 1, 15, 16, 17, 33, 100] {
            for withNaN in [false, true] {
                var values = (0..<count).map { k -> Float in
                    let r = UInt32(truncatingIfNeeded: rng.next())
                    return Float(bitPattern: k % 5 == 0 ? special[k % special.count] : (r & 0x8FFF_FFFF) | 0x3000_0000 & r)
                }
                if !withNaN { values = values.map { $0.isNaN ? 1.5 : $0 } }
                var out = [Float](repeating: 0, count: count)
                let range = BFloat16Rounding.round(values, into: &out, count: count)
                var fold = BFloat16Rounding.MagnitudeRange()
                for (k, v) in values.enumerated() {
                    let r = BFloat16Rounding.round(v)
                    XCTAssertEqual(out[k].bitPattern, r.bitPattern, "\(v.bitPattern) at \(k) of \(count)")
                    fold.see(r)
                }
                XCTAssertEqual(range.smallest, fold.smallest, "count \(count)")
                XCTAssertEqual(range.largest.isNaN, fold.largest.isNaN, "count \(count)")
                if !fold.largest.isNaN { XCTAssertEqual(range.largest, fold.largest, "count \(count)") }
            }
        }
        // Pixels of 30 channels into rows of 32, and of 33 into 48: the same values, zeros after.
        for (channels, stride) in [(30, 32), (33, 48), (16, 16)] {
            let pixels = 7
            let values = (0..<(pixels * channels)).map { k -> Float in
                k == 40 ? .nan : Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x8FFF_FFFF | 0x3000_0000)
            }
            var out = [Float](repeating: 9, count: pixels * stride)
            let range = BFloat16Rounding.round(pixels: pixels, channels: channels, values, sourceStride: channels,
                                               into: &out, stride: stride)
            for p in 0..<pixels {
                for c in 0..<stride {
                    let expected = c < channels ? BFloat16Rounding.round(values[p * channels + c]) : 0
                    XCTAssertEqual(out[p * stride + c].bitPattern, expected.bitPattern, "pixel \(p) channel \(c)")
                }
            }
            XCTAssertTrue(range.largest.isNaN, "a NaN at 40")
        }
    }
}
