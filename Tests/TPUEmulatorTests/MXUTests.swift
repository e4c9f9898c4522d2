import XCTest
import ConvnetOptimizer
@testable import TPUEmulator

/// The fast MXU kernel against the cycle-stepped simulation and the sequential reference.
final class MXUTests: XCTestCase {
    /// Bit for bit equal to the simulation, on shapes where K is not a multiple of R, N not a
    /// multiple of C (or of 16), and M not a multiple of the kernel's 8-row blocks.
    func testBitExactAgainstCycleSimulation() {
        let cases: [(m: Int, k: Int, n: Int, side: Int)] = [
            (20, 70, 40, 8), (20, 70, 40, 16), (17, 9, 5, 4), (33, 40, 17, 8), (9, 130, 33, 16), (1, 3, 1, 8),
        ]
        var rng = SplitMix64(seed: 2024)
        for s in cases {
            let array = MXUShape(rows: s.side, cols: s.side)
            let a = rng.floats(s.m * s.k, wide: true), b = rng.floats(s.k * s.n, wide: true)
            let plan = TilePlan.weightStationary(m: s.m, k: s.k, n: s.n, array: array)
            let fast = MXU.matmul(a: a, b: b, plan: plan)
            let simulated = SystolicArraySimulator(array: array).run(a: a, b: b, m: s.m, k: s.k, n: s.n)
            XCTAssertEqual(bitMismatches(fast, simulated.output), [], "\(s)")
            XCTAssertEqual(simulated.cycles, plan.cycles, "\(s)")
        }
    }

    /// Larger products, big enough to run on several threads, equal the sequential reference.
    func testBitExactOnThreadedShapes() {
        var rng = SplitMix64(seed: 99)
        for (m, k, n) in [(301, 64, 40), (96, 144, 30), (50, 540, 90), (64, 27, 16)] {
            let a = rng.floats(m * k, wide: true), b = rng.floats(k * n, wide: true)
            let plan = TilePlan.weightStationary(m: m, k: k, n: n)
            let expected = sequentialMatmul(a: a, b: b, m: m, k: k, n: n)
            for threads in [1, 2, 3] {
                let fast = MXU.matmul(a: a, b: b, plan: plan, threads: threads)
                XCTAssertEqual(bitMismatches(fast, expected), [], "\(m)x\(k)x\(n) on \(threads) threads")
            }
        }
    }

    /// The test data is such that summation order shows: adding in reverse k order changes
    /// some bits, so the exactness tests above would catch a kernel that reorders.
    func testOrderMattersForTheTestData() {
        var rng = SplitMix64(seed: 2024)
        let (m, k, n) = (20, 70, 40)
        let a = rng.floats(m * k, wide: true).map(BFloat16.round)
        let b = rng.floats(k * n, wide: true).map(BFloat16.round)
        let forward = sequentialMatmul(a: a, b: b, m: m, k: k, n: n)
        var reversed = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var acc: Float = 0
                for kk in (0..<k).reversed() { acc = acc + a[i * k + kk] * b[kk * n + j] }
                reversed[i * n + j] = acc
            }
        }
        XCTAssertGreaterThan(bitMismatches(forward, reversed).count, 0)
    }

    /// Rounding happens inside: operands off the bfloat16 grid give the rounded product, and
    /// the result is close to the float64 product.
    func testRoundsOperandsAndIsAccurate() {
        let plan = TilePlan.weightStationary(m: 1, k: 2, n: 1)
        XCTAssertEqual(MXU.matmul(a: [1 + 0x1p-9, 2], b: [3, 0.5], plan: plan), [4])
        var rng = SplitMix64(seed: 1)
        let (m, k, n) = (40, 100, 24)
        let a = rng.floats(m * k), b = rng.floats(k * n)
        let c = MXU.matmul(a: a, b: b, plan: TilePlan.weightStationary(m: m, k: k, n: n))
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0
                for kk in 0..<k { exact += Double(a[i * k + kk]) * Double(b[kk * n + j]) }
                XCTAssertEqual(Double(c[i * n + j]), exact, accuracy: 0.1, "bf16 error bound, (\(i), \(j))")
            }
        }
    }

    /// The pointer entry point overwrites C, leaves A and B alone and returns the plan's cycles.
    func testPointerFormOverwritesAndReturnsCycles() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [1, 1, 1, 1]     // (2,2) x (2,2)
        var c: [Float] = [99, 99, 99, 99]
        let plan = TilePlan.weightStationary(m: 2, k: 2, n: 2)
        let cycles = c.withUnsafeMutableBufferPointer { cp in
            MXU.matmul(a: a, b: b, c: cp.baseAddress!, plan: plan)
        }
        XCTAssertEqual(c, [3, 3, 7, 7])
        XCTAssertEqual(a, [1, 2, 3, 4])
        XCTAssertEqual(cycles, plan.cycles)
    }
}

/// Transposed operands, K slicing and the column split: all must keep the k-ordered chain.
final class MXULayoutTests: XCTestCase {
    private func transpose(_ x: [Float], rows: Int, cols: Int) -> [Float] {
        var t = [Float](repeating: 0, count: x.count)
        for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = x[i * cols + j] } }
        return t
    }

    func testTransposedOperandsGiveTheSameBits() {
        var rng = SplitMix64(seed: 31)
        for (m, k, n) in [(37, 50, 21), (8, 300, 40), (200, 27, 16)] {
            let a = rng.floats(m * k, wide: true), b = rng.floats(k * n, wide: true)
            let plan = TilePlan.weightStationary(m: m, k: k, n: n)
            let expected = sequentialMatmul(a: a, b: b, m: m, k: k, n: n)
            let at = transpose(a, rows: m, cols: k), bt = transpose(b, rows: k, cols: n)
            XCTAssertEqual(bitMismatches(MXU.matmul(a: at, b: b, plan: plan, transposeA: true), expected), [])
            XCTAssertEqual(bitMismatches(MXU.matmul(a: a, b: bt, plan: plan, transposeB: true), expected), [])
            XCTAssertEqual(bitMismatches(MXU.matmul(a: at, b: bt, plan: plan, transposeA: true, transposeB: true),
                                         expected), [], "\(m)x\(k)x\(n)")
        }
    }

    /// Slicing K parks the sums in C between slices; storing a float32 is exact, so the bits
    /// must not change, whatever the slice depth and layout.
    func testSlicingKKeepsTheChain() {
        var rng = SplitMix64(seed: 32)
        let (m, k, n) = (45, 77, 35)
        let a = rng.floats(m * k, wide: true), b = rng.floats(k * n, wide: true)
        let expected = sequentialMatmul(a: a, b: b, m: m, k: k, n: n)
        let at = transpose(a, rows: m, cols: k), bt = transpose(b, rows: k, cols: n)
        for depth in [1, 5, 16, 76] {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                var c = [Float](repeating: .nan, count: m * n)
                (ta ? at : a).withUnsafeBufferPointer { ap in
                    (tb ? bt : b).withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            let p = MXU.Problem(a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!,
                                                m: m, k: k, n: n, transposeA: ta, transposeB: tb)
                            MXU.run(p, threads: 2, depthLimit: depth)
                        }
                    }
                }
                XCTAssertEqual(bitMismatches(c, expected), [], "depth \(depth), transposeA \(ta), transposeB \(tb)")
            }
        }
    }

    /// A dense layer's shape: few rows, many columns, so workers split the columns.
    func testWideOutputSplitsColumns() {
        var rng = SplitMix64(seed: 33)
        let (m, k, n) = (8, 100, 600)
        let a = rng.floats(m * k, wide: true), b = rng.floats(k * n, wide: true)
        let plan = TilePlan.weightStationary(m: m, k: k, n: n)
        let expected = sequentialMatmul(a: a, b: b, m: m, k: k, n: n)
        for threads in [1, 2, 3] {
            XCTAssertEqual(bitMismatches(MXU.matmul(a: a, b: b, plan: plan, threads: threads), expected), [],
                           "\(threads) threads")
        }
    }
}
