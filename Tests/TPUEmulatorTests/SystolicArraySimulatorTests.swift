import XCTest
import ConvnetOptimizer
@testable import TPUEmulator

/// The cycle-stepped array: right products, right cycle counts, right summation order.
final class SystolicArraySimulatorTests: XCTestCase {
    /// Small integers are exact in bfloat16 and float32, so the product is known by hand.
    func testSmallIntegerProductByHand() {
        // A (3, 3), B (3, 2) on a 2x2 array: K and M both overflow the array.
        let a: [Float] = [1, 2, 3,
                          4, 5, 6,
                          7, 8, 9]
        let b: [Float] = [1, 0,
                          0, 1,
                          1, -1]
        let sim = SystolicArraySimulator(array: MXUShape(rows: 2, cols: 2))
        let result = sim.run(a: a, b: b, m: 3, k: 3, n: 2)
        XCTAssertEqual(result.output, [4, -1,
                                       10, -1,
                                       16, -1])
        // folds = 2 x 1, each 2*2 + 2 + 3 - 2 = 7 cycles; SCALE-Sim reports 14 - 1.
        XCTAssertEqual(result.cycles, 13)
        XCTAssertEqual(result.elapsedCycles, 14)
        XCTAssertEqual(result.macs, 3 * 3 * 2)
    }

    /// The analytic model equals the simulated count, including ragged K, N and tiny M.
    func testCycleCountMatchesTilePlan() {
        let shapes: [(m: Int, k: Int, n: Int, r: Int, c: Int)] = [
            (20, 70, 40, 8, 8), (20, 70, 40, 16, 16), (1, 1, 1, 4, 4), (5, 8, 8, 8, 8),
            (7, 9, 17, 8, 8), (3, 30, 3, 16, 8), (12, 5, 30, 4, 16),
        ]
        var rng = SplitMix64(seed: 11)
        for s in shapes {
            let sim = SystolicArraySimulator(array: MXUShape(rows: s.r, cols: s.c))
            let result = sim.run(a: rng.floats(s.m * s.k), b: rng.floats(s.k * s.n), m: s.m, k: s.k, n: s.n)
            let plan = TilePlan.weightStationary(m: s.m, k: s.k, n: s.n, array: MXUShape(rows: s.r, cols: s.c))
            XCTAssertEqual(result.cycles, plan.cycles, "\(s)")
            XCTAssertEqual(result.macs, s.m * s.k * s.n, "every MAC done exactly once: \(s)")
        }
    }

    /// Every output is the single k-ordered float32 chain, whatever the array size.
    func testSummationOrderIsOneChainInK() {
        var rng = SplitMix64(seed: 5)
        let (m, k, n) = (13, 37, 11)
        let a = rng.floats(m * k, wide: true), b = rng.floats(k * n, wide: true)
        let expected = sequentialMatmul(a: a, b: b, m: m, k: k, n: n)
        for side in [4, 8, 16] {
            let sim = SystolicArraySimulator(array: MXUShape(rows: side, cols: side))
            let out = sim.run(a: a, b: b, m: m, k: k, n: n).output
            XCTAssertEqual(bitMismatches(out, expected), [], "array \(side)x\(side)")
        }
    }

    /// Operands are rounded to bfloat16 on entry: 1 + 2^-9 becomes 1.
    func testOperandsAreRoundedToBFloat16() {
        let sim = SystolicArraySimulator(array: MXUShape(rows: 2, cols: 2))
        let out = sim.run(a: [1 + 0x1p-9], b: [3], m: 1, k: 1, n: 1).output
        XCTAssertEqual(out, [3])
    }
}
