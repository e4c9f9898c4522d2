import XCTest
@testable import ConvnetKernels

final class ParallelTests: XCTestCase {
    func testSplitCoversTheRangeInOrder() {
        for (count, parts) in [(10, 3), (2, 5), (16, 16), (1_000_003, 7)] {
            var next = 0
            for p in 0..<parts {
                let r = Parallel.split(count, parts, p)
                XCTAssertEqual(r.lowerBound, next)
                XCTAssertLessThanOrEqual(r.count, count / parts + 1)
                next = r.upperBound
            }
            XCTAssertEqual(next, count)
        }
    }

    func testForRangesVisitsEveryIndexOnce() {
        let count = 100_000
        let hits = Buffer(repeating: Int32(0), count: count)
        Parallel.forRanges(count, grain: 1000) { range in for i in range { hits.pointer[i] += 1 } }
        XCTAssertTrue(hits.array.allSatisfy { $0 == 1 })
    }

    /// The reduction's chunking is fixed, so its result equals summing the same chunks in order.
    func testReduceRowsEqualsTheFixedChunkOrder() {
        let rows = 10_000, columns = 3
        let x = randomFloats(rows * columns, seed: 1)
        let result = Buffer(repeating: 0.0, count: columns)
        Parallel.reduceRows(rows, columns: columns, into: result.pointer) { range, partial in
            for i in range { for j in 0..<columns { partial[j] += Double(x[i * columns + j]) } }
        }
        var expected = [Double](repeating: 0, count: columns)
        for chunk in 0..<Parallel.reductionChunks {
            var partial = [Double](repeating: 0, count: columns)
            for i in Parallel.split(rows, Parallel.reductionChunks, chunk) {
                for j in 0..<columns { partial[j] += Double(x[i * columns + j]) }
            }
            for j in 0..<columns { expected[j] += partial[j] }
        }
        XCTAssertTrue(result.array == expected)
    }
}
