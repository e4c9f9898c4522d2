/// The loops that `BLAS.gemm` must agree with, and what the IR interpreter runs for `matmul`.
public enum GEMMReference {
    /// C (M, N) = op(A) x op(B) (+ C when `accumulate`); A is (M, K) or (K, M) when transposed,
    /// B is (K, N) or (N, K) when transposed. Each element sums its products in order of k
    /// (the loops run i, k, j so the innermost one walks a row of C).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func gemm<T: ReferenceScalar>(m: Int, n: Int, k: Int,
                                                a: UnsafePointer<T>, transposeA: Bool = false,
                                                b: UnsafePointer<T>, transposeB: Bool = false,
                                                c: UnsafeMutablePointer<T>, accumulate: Bool = false) {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        for i in 0..<m {
            let row = c + i * n
            for p in 0..<k {
                let x = transposeA ? a[p * m + i] : a[i * k + p]
                if transposeB {
                    for j in 0..<n { row[j] += x * b[j * k + p] }
                } else {
                    for j in 0..<n { row[j] += x * b[p * n + j] }
                }
            }
        }
    }
}
