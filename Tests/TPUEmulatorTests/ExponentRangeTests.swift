import XCTest
import ConvnetOptimizer
@testable import TPUEmulator

/// The exactness check that lets the MXU kernel use fused multiply-adds, and the fallback.
final class ExponentRangeTests: XCTestCase {
    private func measure(_ values: [Float]) -> ExponentRange {
        var out = values
        return values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                BFloat16.roundAndMeasure(src.baseAddress!, into: dst.baseAddress!, count: values.count)
            }
        }
    }

    func testMeasuresNonzeroMinimumAndMaximum() {
        XCTAssertEqual(measure([0, 1, 2, -4, 0]), ExponentRange(minField: 127, maxField: 129))
        XCTAssertEqual(measure([0, 0, -0.0]), ExponentRange(minField: 255, maxField: 0))
        XCTAssertEqual(measure([1, .infinity]).maxField, 255)
        XCTAssertEqual(measure([1, .nan]).maxField, 255)
        XCTAssertEqual(measure([1, Float(bitPattern: 0x0001_0000)]).minField, 0)   // a bf16 subnormal
    }

    /// The SIMD body and the scalar tail agree with a per-element reference on random buffers.
    func testMeasureMatchesElementwiseReference() {
        var rng = SplitMix64(seed: 77)
        for count in [1, 15, 16, 17, 100, 1000] {
            var values = rng.floats(count, wide: true)
            values[count / 2] = 0x1p-3                          // a power of two: an exponent boundary
            for i in stride(from: 0, to: count, by: 7) { values[i] = 0 }
            let rounded = values.map(BFloat16.round)
            let nonzero = rounded.filter { $0 != 0 }.map { ($0.bitPattern >> 23) & 0xFF }
            let all = rounded.map { ($0.bitPattern >> 23) & 0xFF }
            let range = measure(values)
            XCTAssertEqual(range.minField, nonzero.min() ?? 255, "count \(count)")
            XCTAssertEqual(range.maxField, all.max() ?? 0, "count \(count)")
        }
    }

    /// The proof's bound, checked on values: at Ea + Ew = 119 every product of bfloat16
    /// significands is exact in float32; one below, some are not.
    func testBoundIsTight() {
        func product(_ ea: UInt32, _ ma: UInt32, _ ew: UInt32, _ mw: UInt32) -> (Float, Double) {
            let a = Float(bitPattern: ea << 23 | ma << 16), w = Float(bitPattern: ew << 23 | mw << 16)
            return (a * w, Double(a) * Double(w))
        }
        var inexactAtBound = 0, inexactBelow = 0
        for ma in UInt32(0)..<128 {
            for mw in UInt32(0)..<128 {
                let (f, d) = product(60, ma, 59, mw)            // 60 + 59 = 119
                if Double(f) != d { inexactAtBound += 1 }
                let (f2, d2) = product(60, ma, 58, mw)          // 118
                if Double(f2) != d2 { inexactBelow += 1 }
            }
        }
        XCTAssertEqual(inexactAtBound, 0)
        XCTAssertGreaterThan(inexactBelow, 0)
        XCTAssertTrue(ExponentRange(minField: 60, maxField: 60).productsAreExact(with: .init(minField: 59, maxField: 59)))
        XCTAssertFalse(ExponentRange(minField: 60, maxField: 60).productsAreExact(with: .init(minField: 58, maxField: 58)))
        // Upper bound: 2^(190-126) * 2^(190-126) = 2^128 would overflow; 380 is the last safe sum.
        XCTAssertTrue(ExponentRange(minField: 190, maxField: 190).productsAreExact(with: .init(minField: 190, maxField: 190)))
        XCTAssertFalse(ExponentRange(minField: 191, maxField: 191).productsAreExact(with: .init(minField: 190, maxField: 190)))
    }

    /// Tiny operands where a fused multiply-add would round differently (a tie at 2^-150):
    /// the kernel must fall back and still match the simulated array.
    func testTinyProductsFallBackToSeparateMultiplyAdd() {
        let a: [Float] = [0x1p-75, 0x1p-75]          // (1, 2)
        let b: [Float] = [0x1p-74, 0x1p-75]          // (2, 1)
        let separate = (Float(0) + a[0] * b[0]) + a[1] * b[1]
        let fused = (Float(0) + a[0] * b[0]).addingProduct(a[1], b[1])
        XCTAssertNotEqual(separate.bitPattern, fused.bitPattern, "the case must tell the two apart")
        let plan = TilePlan.weightStationary(m: 1, k: 2, n: 1, array: MXUShape(rows: 2, cols: 2))
        let sim = SystolicArraySimulator(array: plan.array).run(a: a, b: b, m: 1, k: 2, n: 1).output
        XCTAssertEqual(sim[0].bitPattern, separate.bitPattern)
        XCTAssertEqual(MXU.matmul(a: a, b: b, plan: plan)[0].bitPattern, separate.bitPattern)
    }

    /// Huge operands where the separate product overflows but a fused one would not.
    func testHugeProductsFallBackToSeparateMultiplyAdd() {
        let a: [Float] = [-0x1p63, 0x1p64]
        let b: [Float] = [0x1p64, 0x1p64]
        let separate = (Float(0) + a[0] * b[0]) + a[1] * b[1]
        let fused = (Float(0) + a[0] * b[0]).addingProduct(a[1], b[1])
        XCTAssertEqual(separate, .infinity)
        XCTAssertEqual(fused, 0x1p127)
        let plan = TilePlan.weightStationary(m: 1, k: 2, n: 1)
        XCTAssertEqual(MXU.matmul(a: a, b: b, plan: plan), [.infinity])
    }

    /// Ordinary data (activations, weights, gradients) takes the fused path.
    func testTypicalDataIsProvablyExact() {
        var rng = SplitMix64(seed: 4)
        let activations = measure(rng.floats(4096).map { max(0, $0) * 6 })
        let gradients = measure(rng.floats(4096, wide: true).map { $0 * 1e-6 })
        XCTAssertTrue(activations.productsAreExact(with: gradients))
    }
}
