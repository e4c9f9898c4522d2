import ConvnetCPU
import ConvnetKernels
import XCTest
@testable import TPUEmulator

/// `MXUEngine`, the GEMM behind every convolution and dense layer on `--target tpu`.
final class TargetMXUEngineTests: XCTestCase {
    /// (M, K, N, transposeA, transposeB): odd sizes, both transposes, a k long enough to slice.
    let shapes: [(Int, Int, Int, Bool, Bool)] = [
        (1, 1, 1, false, false), (7, 13, 5, false, false), (33, 27, 17, true, false),
        (19, 9, 41, false, true), (65, 300, 3, true, true), (130, 70, 129, false, false),
    ]

    func run(_ engine: any MatmulEngine, _ a: [Float], _ b: [Float], _ s: (Int, Int, Int, Bool, Bool),
             initial: [Float]? = nil, accumulate: Bool = false) -> [Float] {
        let (m, k, n, ta, tb) = s
        var c = initial ?? [Float](repeating: .nan, count: m * n)
        engine.gemm(m: m, n: n, k: k, a: a, transposeA: ta, b: b, transposeB: tb, c: &c, accumulate: accumulate, layer: "")
        return c
    }

    func testEqualsMXUBitForBitAndBLASWithinBFloat16() {
        var rng = SplitMix64(seed: 3)
        for s in shapes {
            let (m, k, n, ta, tb) = s
            let a = rng.floats(m * k), b = rng.floats(k * n)
            let engine = MXUEngine()
            let got = run(engine, a, b, s)
            let expected = MXU.matmul(a: a, b: b, plan: engine.device.plan(m: m, k: k, n: n), transposeA: ta, transposeB: tb)
            XCTAssertEqual(bitMismatches(got, expected), [], "\(s)")
            let fp32 = run(BLASEngine(), a, b, s)
            // bfloat16 keeps 8 significant bits: each product is off by at most ~2^-8 relative.
            let bound = Float(k) * 2 * 0x1p-8
            for i in got.indices { XCTAssertLessThanOrEqual(abs(got[i] - fp32[i]), bound, "\(s) at \(i)") }
            XCTAssertTrue(got.indices.contains { got[$0] != fp32[$0] } || k == 1, "bf16 rounding should show on \(s)")
        }
    }

    func testAccumulateAddsTheProductToC() {
        var rng = SplitMix64(seed: 4)
        let s = (21, 11, 9, true, false)
        let a = rng.floats(21 * 11), b = rng.floats(11 * 9), c0 = rng.floats(21 * 9)
        let product = run(MXUEngine(), a, b, s)
        let accumulated = run(MXUEngine(), a, b, s, initial: c0, accumulate: true)
        XCTAssertEqual(bitMismatches(accumulated, zip(c0, product).map { $0 + $1 }), [])
    }

    func testResultDoesNotDependOnHostThreads() {
        var rng = SplitMix64(seed: 5)
        let s = (200, 150, 70, false, false)
        let a = rng.floats(200 * 150, wide: true), b = rng.floats(150 * 70, wide: true)
        XCTAssertEqual(bitMismatches(run(MXUEngine(threads: 1), a, b, s), run(MXUEngine(threads: 2), a, b, s)), [])
    }
}
