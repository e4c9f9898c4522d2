import XCTest
@testable import ConvnetKernels

final class BLASTests: XCTestCase {
    func testGemmMatchesTripleLoopForEveryTransposeCombination() {
        let (m, n, k) = (7, 5, 11)
        for ta in [false, true] {
            for tb in [false, true] {
                let a = Buffer(randomFloats(m * k, seed: 1)), b = Buffer(randomFloats(k * n, seed: 2))
                let c0 = randomFloats(m * n, seed: 3)
                for accumulate in [false, true] {
                    let fast = Buffer(c0), slow = Buffer(c0)
                    BLAS.gemm(m: m, n: n, k: k, a: a.pointer, transposeA: ta, b: b.pointer, transposeB: tb,
                              c: fast.pointer, accumulate: accumulate)
                    GEMMReference.gemm(m: m, n: n, k: k, a: a.pointer, transposeA: ta, b: b.pointer, transposeB: tb,
                                       c: slow.pointer, accumulate: accumulate)
                    assertClose(fast.array, slow.array, "ta=\(ta) tb=\(tb) acc=\(accumulate)")
                }
            }
        }
    }

    func testEmptyReductionZeroesOrKeepsOutput() {
        let a = Buffer([Float](repeating: 1, count: 1)), b = Buffer([Float](repeating: 1, count: 1))
        let c = Buffer([Float](repeating: 3, count: 6))
        BLAS.gemm(m: 2, n: 3, k: 0, a: a.pointer, b: b.pointer, c: c.pointer, accumulate: true)
        XCTAssertEqual(c.array, [Float](repeating: 3, count: 6))
        BLAS.gemm(m: 2, n: 3, k: 0, a: a.pointer, b: b.pointer, c: c.pointer)
        XCTAssertEqual(c.array, [Float](repeating: 0, count: 6))
    }

    func testSmallProductByHand() {
        // (2x3) x (3x2): [[1,2,3],[4,5,6]] x [[1,0],[0,1],[1,1]] = [[4,5],[10,11]]
        let a = Buffer<Float>([1, 2, 3, 4, 5, 6]), b = Buffer<Float>([1, 0, 0, 1, 1, 1])
        let c = Buffer(repeating: Float(0), count: 4)
        BLAS.gemm(m: 2, n: 2, k: 3, a: a.pointer, b: b.pointer, c: c.pointer)
        XCTAssertEqual(c.array, [4, 5, 10, 11])
    }

    func testInfoReportsACoreAndThreads() {
        XCTAssertFalse(BLASInfo.coreName.isEmpty)
        XCTAssertNotEqual(BLASInfo.coreName, "unknown")
        XCTAssertGreaterThanOrEqual(BLASInfo.threadCount, 1)
    }
}
