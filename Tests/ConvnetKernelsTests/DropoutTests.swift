import XCTest
@testable import ConvnetKernels

final class DropoutTests: XCTestCase {
    func testMatchesReferenceAndKeepsTheRightFraction() {
        let count = 100_000, rate: Float = 0.3
        let x = Buffer(randomFloats(count, seed: 1, range: 0.5...1))
        let y = Buffer(repeating: Float.nan, count: count), ref = Buffer(repeating: Float.nan, count: count)
        Dropout.forward(input: x.pointer, output: y.pointer, count: count, rate: rate, seed: 42)
        DropoutReference.apply(input: x.pointer, output: ref.pointer, count: count, rate: rate, seed: 42)
        XCTAssertTrue(zip(y.array, ref.array).allSatisfy { ($0 == 0) == ($1 == 0) }, "same mask whatever the split over cores")
        assertClose(y.array, ref.array, tolerance: 1e-6)
        let kept = y.array.filter { $0 != 0 }.count
        XCTAssertEqual(Double(kept) / Double(count), 0.7, accuracy: 0.01)
        XCTAssertEqual(y.array[y.array.firstIndex { $0 != 0 }!] / x.array[y.array.firstIndex { $0 != 0 }!], 1 / 0.7, accuracy: 1e-5)
    }

    func testSeedsChangeTheMaskAndBackwardReusesIt() {
        let count = 1000
        let x = Buffer([Float](repeating: 1, count: count)), a = Buffer(repeating: Float(0), count: count)
        let b = Buffer(repeating: Float(0), count: count), da = Buffer(repeating: Float(0), count: count)
        Dropout.forward(input: x.pointer, output: a.pointer, count: count, rate: 0.5, seed: 1)
        Dropout.forward(input: x.pointer, output: b.pointer, count: count, rate: 0.5, seed: 2)
        XCTAssertNotEqual(a.array, b.array)
        Dropout.backward(outputGradient: x.pointer, inputGradient: da.pointer, count: count, rate: 0.5, seed: 1)
        XCTAssertTrue(da.array == a.array, "gradient flows exactly where the forward kept")
    }

    func testUniformStaysInUnitInterval() {
        var lo: Float = 1, hi: Float = 0
        for i in 0..<10_000 {
            let u = Dropout.uniform(seed: 7, index: i)
            lo = min(lo, u); hi = max(hi, u)
        }
        XCTAssertGreaterThanOrEqual(lo, 0); XCTAssertLessThan(hi, 1)
        XCTAssertLessThan(lo, 0.01); XCTAssertGreaterThan(hi, 0.99)
    }
}
