import XCTest
@testable import ConvnetKernels

/// Every generated sliding kernel (`MicroKernels.runSliding`) against the plain kernel of the
/// same shape running the same call tap by tap (innerCount 3), which is its naive twin: the
/// sums are the same up to the order of the three taps' products.
final class SlidingMicroKernelTests: XCTestCase {
    func testEverySlidingShapeEqualsThePlainKernel() {
        let channels = 5, pixels = MicroKernels.largestRows + 2, rows = 2
        for v in 1...4 where MicroKernels.slides(vectors: v) {
            let fp = 16 * v
            // a: (rows, pixels, channels) with a row pitch of pixels + 3; b: (rows, 3 taps, channels, fp).
            let pitch = (pixels + 3) * channels
            let a = randomFloats(rows * pitch, seed: UInt64(10 + v))
            let b = randomFloats(rows * 3 * channels * fp, seed: UInt64(20 + v))
            for r in 1...MicroKernels.maxRows(vectors: v) {
                for accumulate in [false, true] {
                    let start = randomFloats(r * fp, seed: UInt64(30 + r))
                    var plain = start, sliding = start
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            func call(_ out: UnsafeMutablePointer<Float>) -> MicroKernelCall {
                                MicroKernelCall(a: a.baseAddress! + 1, aRow: channels, aStep: 1, aInner: channels, aOuter: pitch,
                                                b: b.baseAddress!, bStep: fp, bInner: channels * fp, bOuter: 3 * channels * fp,
                                                length: channels, innerCount: 3, outerCount: rows,
                                                out: out, outStride: fp, accumulate: accumulate)
                            }
                            plain.withUnsafeMutableBufferPointer { MicroKernels.run(rows: r, vectors: v, call($0.baseAddress!)) }
                            sliding.withUnsafeMutableBufferPointer {
                                MicroKernels.runSliding(rows: r, vectors: v, call($0.baseAddress!))
                            }
                        }
                    }
                    for i in plain.indices {
                        XCTAssertEqual(sliding[i], plain[i], accuracy: 1e-4 * max(1, abs(plain[i])),
                                       "R \(r) V \(v) accumulate \(accumulate) element \(i)")
                    }
                }
            }
        }
    }
}
