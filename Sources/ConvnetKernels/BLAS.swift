import CBLAS

/// Single-precision matrix products through OpenBLAS. This is the only file of the project that
/// imports CBLAS, so that the rest of the code (and its tests) never depends on the C API.
///
/// All matrices are row-major. `transposeA` means the stored `A` is (K, M) and is used as its
/// transpose; likewise `transposeB` means the stored `B` is (N, K).
public enum BLAS {
    /// C (M, N) = alpha * op(A) (M, K) x op(B) (K, N) + beta * C.
    ///
    /// Leading dimensions are the row strides of the matrices as stored. With `k == 0` the
    /// product is empty and C is only scaled by beta (OpenBLAS returns early in that case).
    public static func sgemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative GEMM dimension")
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        let limit = Int(Int32.max)
        precondition(m <= limit && n <= limit && k <= limit && lda <= limit && ldb <= limit && ldc <= limit,
                     "GEMM dimension exceeds OpenBLAS' 32-bit integer interface")
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }

    /// C (M, N) = op(A) x op(B) (+ C when `accumulate`), with the leading dimensions of densely
    /// stored matrices: A is (M, K) or (K, M) when transposed, B is (K, N) or (N, K).
    public static func gemm(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, transposeA: Bool = false,
        b: UnsafePointer<Float>, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
              a: a, lda: transposeA ? m : k,
              b: b, ldb: transposeB ? k : n,
              beta: accumulate ? 1 : 0,
              c: c, ldc: n)
    }
}

/// What the loaded OpenBLAS library chose at load time.
public enum BLASInfo {
    /// The kernel family OpenBLAS selected, e.g. "Prescott", "Haswell" or "SkylakeX".
    /// On this machine an unset `OPENBLAS_CORETYPE` gives "Prescott" (see `BLASEnvironment`).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads OpenBLAS uses for one call (process-wide).
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "thread count must be positive")
        openblas_set_num_threads(Int32(count))
    }
}
