/// What runs the executor's matrix products: every GEMM of a convolution (forward, input and
/// filter gradient, on bands of im2col columns) and of a dense layer goes through one engine.
///
/// Why a protocol: the TPU emulator (`--target tpu`) runs the very same thunks, buffer plan and
/// vector code as the CPU target and differs only in how a product is formed (bfloat16 operands
/// on the emulated MXU instead of fp32 OpenBLAS), so it swaps the engine instead of forking the
/// executor. Layouts follow `BLAS.gemm`, all row-major: `a` is (M, K), or (K, M) when
/// `transposeA`; `b` is (K, N), or (N, K) when `transposeB`; `c` is (M, N), overwritten, or
/// added to when `accumulate`.
///
/// An engine may be called from two threads at once (the executor runs image halves of a
/// convolution concurrently), on disjoint `c`.
public protocol MatmulEngine: Sendable {
    /// `c = a * b` (or `c += a * b` when `accumulate`). `layer` names the model layer the
    /// product belongs to (empty when unknown), for engines that account per layer.
    func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool,
              b: UnsafePointer<Float>, transposeB: Bool, c: UnsafeMutablePointer<Float>,
              accumulate: Bool, layer: String)

    /// The numerics under which `DirectConv` computes exactly what this engine computes for a
    /// lowered convolution, so the executor may run stride-1 convolutions on the direct kernels
    /// instead of im2col + `gemm`; nil when there are none (every product goes through `gemm`).
    var directConvolutions: DirectConv.Numerics? { get }
}

extension MatmulEngine {
    public var directConvolutions: DirectConv.Numerics? { nil }
}

extension MatmulEngine {
    /// The call with `BLAS.gemm`'s defaults, so call sites read like the BLAS ones.
    @inline(__always)
    public func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool = false,
              b: UnsafePointer<Float>, transposeB: Bool = false, c: UnsafeMutablePointer<Float>,
              accumulate: Bool = false) {
        gemm(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
             accumulate: accumulate, layer: "")
    }
}

/// The CPU target's engine: fp32 OpenBLAS (`BLAS.gemm`), and the fp32 direct kernels for
/// stride-1 convolutions.
public struct BLASEngine: MatmulEngine {
    public init() {}

    public var directConvolutions: DirectConv.Numerics? { .float32 }

    public func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool,
                     b: UnsafePointer<Float>, transposeB: Bool, c: UnsafeMutablePointer<Float>,
                     accumulate: Bool, layer: String) {
        BLAS.gemm(m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
                  accumulate: accumulate)
    }
}
