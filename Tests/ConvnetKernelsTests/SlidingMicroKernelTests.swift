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

    /// Every filter-gradient sliding kernel (`MicroKernels.runFilterSliding`) against the plain
    /// kernel run once per tap (the input shifted by the tap), over two rows and lengths 2-6.
    func testEveryFilterSlidingShapeEqualsThePlainKernelPerTap() {
        let channels = 9, rows = 2
        for v in 1...4 where MicroKernels.filterSlidingRows(vectors: v) > 0 {
            let fp = 16 * v
            for length in 2...6 {
                let pitch = (length + 2) * channels               // an input row: length + 2 pixels
                let a = randomFloats(rows * pitch, seed: UInt64(40 + v + length))
                let b = randomFloats(rows * length * fp, seed: UInt64(50 + v + length))
                for r in 1...MicroKernels.filterSlidingRows(vectors: v) {
                    let outTap = channels * fp
                    let start = randomFloats(3 * outTap, seed: UInt64(60 + r))
                    var plain = start, sliding = start
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            func call(_ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) -> MicroKernelCall {
                                MicroKernelCall(a: a, aRow: 1, aStep: channels, aInner: 0, aOuter: pitch,
                                                b: b.baseAddress!, bStep: fp, bInner: 0, bOuter: length * fp,
                                                length: length, innerCount: 1, outerCount: rows,
                                                out: out, outStride: fp, accumulate: true, outTap: outTap)
                            }
                            plain.withUnsafeMutableBufferPointer { out in
                                for tap in 0..<3 {
                                    MicroKernels.run(rows: r, vectors: v,
                                                     call(a.baseAddress! + 1 + tap * channels, out.baseAddress! + tap * outTap))
                                }
                            }
                            sliding.withUnsafeMutableBufferPointer {
                                MicroKernels.runFilterSliding(rows: r, vectors: v, call(a.baseAddress! + 1, $0.baseAddress!))
                            }
                        }
                    }
                    for i in plain.indices {
                        XCTAssertEqual(sliding[i], plain[i], accuracy: 1e-4 * max(1, abs(plain[i])),
                                       "R \(r) V \(v) length \(length) element \(i)")
                    }
                }
            }
        }
    }
}
