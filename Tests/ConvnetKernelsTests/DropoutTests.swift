import XCTest
@testable import ConvnetKernels

final class DropoutTests: XCTestCase {
    func testMatchesReferenceAndKeepsTheRightFraction() {
        let count = 100_000, rate = 0.3
        let x = Buffer(randomFloats(count, seed: 1, range: 0.5...1))
        let y = Buffer(repeating: Float.nan, count: count), ref = Buffer(repeating: Float.nan, count: count)
        Dropout.forward(input: x.pointer, output: y.pointer, count: count, rate: rate, seed: 42, salt: 3)
        DropoutReference.apply(input: x.pointer, output: ref.pointer, count: count, rate: rate, seed: 42, salt: 3)
        XCTAssertTrue(zip(y.array, ref.array).allSatisfy { ($0 == 0) == ($1 == 0) }, "same mask whatever the split over cores")
        assertClose(y.array, ref.array, tolerance: 1e-6)
        let kept = y.array.filter { $0 != 0 }.count
        XCTAssertEqual(Double(kept) / Double(count), 0.7, accuracy: 0.01)
        XCTAssertEqual(y.array[y.array.firstIndex { $0 != 0 }!] / x.array[y.array.firstIndex { $0 != 0 }!], 1 / 0.7, accuracy: 1e-5)
    }

    func testSeedsAndSaltsChangeTheMaskAndBackwardReusesIt() {
        let count = 1000
        let x = Buffer([Float](repeating: 1, count: count)), a = Buffer(repeating: Float(0), count: count)
        let b = Buffer(repeating: Float(0), count: count), c = Buffer(repeating: Float(0), count: count)
        let da = Buffer(repeating: Float(0), count: count)
        Dropout.forward(input: x.pointer, output: a.pointer, count: count, rate: 0.5, seed: 1, salt: 0)
        Dropout.forward(input: x.pointer, output: b.pointer, count: count, rate: 0.5, seed: 2, salt: 0)
        Dropout.forward(input: x.pointer, output: c.pointer, count: count, rate: 0.5, seed: 1, salt: 1)
        XCTAssertNotEqual(a.array, b.array)
        XCTAssertNotEqual(a.array, c.array)
        // The backward op is the same function of dY (here all ones, so it reproduces the forward).
        Dropout.forward(input: x.pointer, output: da.pointer, count: count, rate: 0.5, seed: 1, salt: 0)
        XCTAssertTrue(da.array == a.array, "gradient flows exactly where the forward kept")
    }
}
