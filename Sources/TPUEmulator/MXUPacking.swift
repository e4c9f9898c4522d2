// Packing MXU operands: copy a slice of A or B into a contiguous buffer the kernel can stream,
// rounding to bfloat16 and measuring the exponent range on the way.

extension MXU {
    /// Rounds rows `k0..<k0+depth`, columns `cols` of B into `bq` (depth, ldb), zero-padding
    /// columns `cols.count..<ldb`. Returns the exponent range of the packed values (the padding
    /// zeros do not count). Copies first and rounds the whole buffer in one pass: rounding row by
    /// row costs a call and a lane reduction per row, which dominates when N is small.
    static func packB(_ p: Problem, k0: Int, depth: Int, cols: Range<Int>,
                      into bq: UnsafeMutablePointer<Float>, ldb: Int) -> ExponentRange {
        let width = cols.count
        if p.transposeB {                                               // b is (N, K)
            for j in 0..<width {
                let src = p.b + (cols.lowerBound + j) * p.k + k0
                for kk in 0..<depth { bq[kk * ldb + j] = src[kk] }
            }
        } else {                                                        // b is (K, N)
            for kk in 0..<depth {
                (bq + kk * ldb).update(from: p.b + (k0 + kk) * p.n + cols.lowerBound, count: width)
            }
        }
        if width < ldb {
            for kk in 0..<depth { (bq + kk * ldb + width).initialize(repeating: 0, count: ldb - width) }
        }
        return BFloat16.roundAndMeasure(bq, into: bq, count: depth * ldb)
    }

    /// Rounds rows `rows`, columns `k0..<k0+depth` of A into `panel`, one (8, depth) block after
    /// another, zero-filling rows past the end of A. Blocks are row-major, except from a
    /// transposed A, where they are k-major (depth, 8) so that each k is one contiguous copy
    /// (`KMajorPanel`). Returns the exponent range of the packed values.
    static func packA(_ p: Problem, rows: Range<Int>, paddedRows: Int, k0: Int, depth: Int,
                      into panel: UnsafeMutablePointer<Float>) -> ExponentRange {
        let count = rows.count
        if p.transposeA {                                               // a is (K, M)
            for kk in 0..<depth {
                let src = p.a + (k0 + kk) * p.m + rows.lowerBound
                var i = 0
                while i < paddedRows {                                  // block i/8, column kk (blockRows = 8)
                    let dst = panel + i * depth + kk * 8
                    if i + 8 <= count {                                 // one 8-float copy
                        UnsafeMutableRawPointer(dst).storeBytes(
                            of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    } else {
                        for r in 0..<8 { dst[r] = i + r < count ? src[i + r] : 0 }
                    }
                    i += 8
                }
            }
            return BFloat16.roundAndMeasure(panel, into: panel, count: paddedRows * depth)
        }
        var range = ExponentRange.empty
        if depth == p.k {                                               // whole rows: one pass
            range = BFloat16.roundAndMeasure(p.a + rows.lowerBound * p.k, into: panel, count: count * depth)
        } else {
            for i in 0..<count {
                range.merge(BFloat16.roundAndMeasure(p.a + (rows.lowerBound + i) * p.k + k0,
                                                     into: panel + i * depth, count: depth))
            }
        }
        if count < paddedRows {
            (panel + count * depth).initialize(repeating: 0, count: (paddedRows - count) * depth)
        }
        return range
    }
}
