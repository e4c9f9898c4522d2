import XCTest
@testable import TPUEmulator

final class AllReduceTests: XCTestCase {
    /// Float addition is not associative; the fixed order core 0, 1, 2 gives (1e8 + 1) - 1e8 = 0,
    /// where another order would give 1.
    func testSumsInFixedCoreOrder() {
        let buffers: [[Float]] = [[1e8, -1e8], [1, 1e8], [-1e8, 1]]
        XCTAssertEqual(AllReduce.sum(buffers), [0, 1])   // (1e8 + 1) - 1e8 and (-1e8 + 1e8) + 1
        XCTAssertEqual(AllReduce.sum([[1, 2], [3, 4]]), [4, 6])
    }

    func testAllCoresReceiveTheSameBits() {
        var rng = SplitMix64(seed: 8)
        var buffers = (0..<8).map { _ in rng.floats(1000, wide: true) }
        let expected = AllReduce.sum(buffers)
        AllReduce.allReduceSum(&buffers)
        for core in 0..<8 { XCTAssertEqual(bitMismatches(buffers[core], expected), []) }
    }

    /// The pointer form, with SIMD body and scalar tail, gives the plain loop's bits.
    func testPointerFormMatchesScalarLoop() {
        var rng = SplitMix64(seed: 9)
        let buffers = (0..<5).map { _ in rng.floats(37, wide: true) }
        var expected = [Float](repeating: 0, count: 37)
        for i in 0..<37 {
            var s = buffers[0][i]
            for core in 1..<5 { s = s + buffers[core][i] }
            expected[i] = s
        }
        var out = [Float](repeating: 0, count: 37)
        buffers[0].withUnsafeBufferPointer { b0 in
            buffers[1].withUnsafeBufferPointer { b1 in
                buffers[2].withUnsafeBufferPointer { b2 in
                    buffers[3].withUnsafeBufferPointer { b3 in
                        buffers[4].withUnsafeBufferPointer { b4 in
                            out.withUnsafeMutableBufferPointer { o in
                                AllReduce.sum([b0.baseAddress!, b1.baseAddress!, b2.baseAddress!,
                                               b3.baseAddress!, b4.baseAddress!],
                                              into: o.baseAddress!, count: 37)
                            }
                        }
                    }
                }
            }
        }
        XCTAssertEqual(bitMismatches(out, expected), [])
    }
}
