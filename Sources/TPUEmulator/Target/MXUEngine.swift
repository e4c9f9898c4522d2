import ConvnetCPU
import ConvnetKernels
import ConvnetOptimizer

/// The TPU target's matrix engine: every GEMM the executor issues (convolution bands, their
/// gradients, dense layers) runs as an emulated MXU pass, `MXU.matmul` with the device's
/// weight-stationary `TilePlan`: both operands rounded to bfloat16, products accumulated in
/// float32 in the systolic array's k order, bit for bit what `SystolicArraySimulator` computes.
///
/// Operand rounding: `MXU.matmul` rounds A and B to bfloat16 while it packs them into its own
/// cache-resident panels (allocated per call and per worker), so no extra full-size rounded
/// copy is made here and the caller's buffers are never modified. That also makes the engine
/// safe to call from the executor's two concurrent image halves: nothing is shared between calls.
///
/// `accumulate` (the filter gradient summed band by band): the MXU overwrites its output, so
/// the band's product is formed in a per-call temporary (M, N) and added to `c` in float32, as
/// the accumulator memory of a TPU core adds the partial sums of successive passes.
public struct MXUEngine: MatmulEngine {
    /// The emulated device whose MXU shape sets each product's tile plan.
    public var device: TPUDevice
    /// Host threads one product may use (`MXU.matmul`'s `threads`). Results do not depend on it.
    public var threads: Int

    public init(device: TPUDevice = .tpuV2, threads: Int = MXU.defaultThreads) {
        self.device = device
        self.threads = max(1, threads)
    }

    /// Stride-1 convolutions run on the direct kernels with bfloat16 operands: the same chains
    /// `MXU.matmul` forms on the lowered convolution (`DirectConv.Numerics.bfloat16`; tested bit
    /// for bit in MXUDirectConvTests).
    public var directConvolutions: DirectConv.Numerics? { .bfloat16 }

    public func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool,
                     b: UnsafePointer<Float>, transposeB: Bool, c: UnsafeMutablePointer<Float>,
                     accumulate: Bool, layer: String) {
        guard m > 0 && n > 0 else { return }
        guard k > 0 else {
            if !accumulate { c.update(repeating: 0, count: m * n) }
            return
        }
        let plan = device.plan(m: m, k: k, n: n)
        guard accumulate else {
            MXU.matmul(a: a, b: b, c: c, plan: plan, transposeA: transposeA, transposeB: transposeB, threads: threads)
            return
        }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: m * n) { product in   // (M, N)
            let p = product.baseAddress!
            MXU.matmul(a: a, b: b, c: p, plan: plan, transposeA: transposeA, transposeB: transposeB, threads: threads)
            AllReduce.add(UnsafePointer(p), into: c, count: m * n)
        }
    }
}
