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

    /// Rounds rows `rows`, columns `k0..<k0+depth` of A into `panel` (paddedRows, depth),
    /// zero-filling rows past the end of A. Returns the exponent range of the packed values.
    static func packA(_ p: Problem, rows: Range<Int>, paddedRows: Int, k0: Int, depth: Int,
                      into panel: UnsafeMutablePointer<Float>) -> ExponentRange {
        let count = rows.count
        var range = ExponentRange.empty
        if p.transposeA {                                               // a is (K, M)
            for kk in 0..<depth {
                let src = p.a + (k0 + kk) * p.m + rows.lowerBound
                for i in 0..<count { panel[i * depth + kk] = src[i] }
            }
            range = BFloat16.roundAndMeasure(panel, into: panel, count: count * depth)
        } else if depth == p.k {                                        // whole rows: one pass
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
