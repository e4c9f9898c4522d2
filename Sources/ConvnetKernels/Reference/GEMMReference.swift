/// The triple loop that `BLAS.gemm` must agree with.
public enum GEMMReference {
    /// C (M, N) = op(A) x op(B) (+ C when `accumulate`); A is (M, K) or (K, M) when transposed,
    /// B is (K, N) or (N, K) when transposed. Sums in order of k.
    public static func gemm<T: ReferenceScalar>(m: Int, n: Int, k: Int,
                                                a: UnsafePointer<T>, transposeA: Bool = false,
                                                b: UnsafePointer<T>, transposeB: Bool = false,
                                                c: UnsafeMutablePointer<T>, accumulate: Bool = false) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: T = accumulate ? c[i * n + j] : 0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += x * y
                }
                c[i * n + j] = sum
            }
        }
    }
}
