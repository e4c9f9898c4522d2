import ConvnetOptimizer
import Dispatch

/// The fast matrix unit: `C = A * B` with bfloat16 operands and float32 accumulation, bit for bit
/// what `SystolicArraySimulator` computes, at CPU speed.
///
/// **Why it is exact.** The simulated array forms every output as one float32 chain in k order,
/// `((0 + a0*w0) + a1*w1) + ...`, each product exact (bfloat16 x bfloat16 fits in float32) and
/// each add rounded (see `SystolicArraySimulator`). This kernel keeps one accumulator per output
/// and walks k from 0 to K-1, doing a separate float32 multiply and add (never a fused
/// multiply-add, which would skip the product's rounding when it underflows), so each output sees
/// the same operations on the same values in the same order. The plan's folds decide the cycle
/// count, not the arithmetic, so the numbers do not depend on the array size.
///
/// **How it is fast.** The rows of A are cut into blocks of 8; each block is rounded to bfloat16
/// into a small cache-resident scratch buffer, then for each 16-column strip of B (rounded once
/// per call, zero-padded to a multiple of 16) eight `SIMD16<Float>` accumulators run down k.
/// Blocks are shared out over the cores with `DispatchQueue.concurrentPerform`.
public enum MXU {
    /// Rows of A handled together by the micro-kernel: 8 accumulators of 16 lanes.
    static let blockRows = 8
    /// Below this many multiply-accumulates a call stays on the calling thread.
    static let parallelThreshold = 1 << 18

    /// `c = a * b` for row-major `a` (M, K), `b` (K, N) and `c` (M, N), with `plan.m/k/n` giving
    /// the sizes. Operands are rounded to bfloat16; `a` and `b` are not modified; `c` is
    /// overwritten and must not overlap them. Returns the plan's cycle count for the caller's
    /// `CycleCounter`.
    ///
    /// - Parameter threads: how many cores to use; defaults to all of them.
    @discardableResult
    public static func matmul(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                              plan: TilePlan, threads: Int = defaultThreads) -> Int {
        let m = plan.m, k = plan.k, n = plan.n
        let strips = (n + 15) / 16
        let paddedN = strips * 16
        let bq = UnsafeMutablePointer<Float>.allocate(capacity: k * paddedN)  // (K, paddedN)
        defer { bq.deallocate() }
        for kk in 0..<k {
            BFloat16.round(b + kk * n, into: bq + kk * paddedN, count: n)
            (bq + kk * paddedN + n).initialize(repeating: 0, count: paddedN - n)
        }

        let blocks = (m + blockRows - 1) / blockRows
        let workers = m * k * n < parallelThreshold ? 1 : max(1, min(threads, blocks))
        let operands = Operands(a: a, bq: UnsafePointer(bq), c: c, m: m, k: k, n: n, paddedN: paddedN)
        if workers == 1 {
            run(operands, blocks: 0..<blocks)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                run(operands, blocks: (blocks * w / workers)..<(blocks * (w + 1) / workers))
            }
        }
        return plan.cycles
    }

    /// Array convenience: the product of `a` (M, K) and `b` (K, N) as a new (M, N) array.
    public static func matmul(a: [Float], b: [Float], plan: TilePlan, threads: Int = defaultThreads) -> [Float] {
        precondition(a.count == plan.m * plan.k && b.count == plan.k * plan.n, "operands do not match \(plan)")
        var c = [Float](repeating: 0, count: plan.m * plan.n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    _ = matmul(a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!, plan: plan, threads: threads)
                }
            }
        }
        return c
    }

    /// All cores of this machine.
    public static var defaultThreads: Int { TPUDevice.hostCores }

    /// The pointers and sizes one call works on, passed to the worker threads. Each worker writes
    /// a disjoint range of rows of `c`, so sharing them is safe.
    struct Operands: @unchecked Sendable {
        let a: UnsafePointer<Float>          // (M, K), float32 as given
        let bq: UnsafePointer<Float>         // (K, paddedN), rounded, zero-padded
        let c: UnsafeMutablePointer<Float>   // (M, N)
        let m: Int, k: Int, n: Int, paddedN: Int
    }

    /// Computes the rows of blocks `blocks` (each `blockRows` rows of A and C).
    static func run(_ o: Operands, blocks: Range<Int>) {
        let k = o.k
        let panel = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * k)   // (8, K)
        defer { panel.deallocate() }
        for block in blocks {
            let row0 = block * blockRows
            let rowsHere = min(blockRows, o.m - row0)
            BFloat16.round(o.a + row0 * k, into: panel, count: rowsHere * k)
            if rowsHere < blockRows {
                (panel + rowsHere * k).initialize(repeating: 0, count: (blockRows - rowsHere) * k)
            }
            var strip = 0
            while strip * 16 < o.n {
                kernel8x16(panel: panel, k: k, b: o.bq + strip * 16, ldb: o.paddedN,
                           c: o.c + row0 * o.n + strip * 16, ldc: o.n,
                           rows: rowsHere, cols: min(16, o.n - strip * 16))
                strip += 1
            }
        }
    }

    /// Eight rows by one 16-column strip: `c[i, 0..<16] = sum over kk in order of
    /// panel[i, kk] * b[kk, 0..<16]`, with a separate multiply and add per step. Only `rows` x
    /// `cols` of the result are stored.
    @inline(__always)
    static func kernel8x16(panel: UnsafePointer<Float>, k: Int, b: UnsafePointer<Float>, ldb: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int) {
        let zero = SIMD16<Float>(repeating: 0)
        var c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero
        let a0 = panel, a1 = panel + k, a2 = panel + 2 * k, a3 = panel + 3 * k
        let a4 = panel + 4 * k, a5 = panel + 5 * k, a6 = panel + 6 * k, a7 = panel + 7 * k
        let braw = UnsafeRawPointer(b)
        for kk in 0..<k {
            let w = braw.loadUnaligned(fromByteOffset: kk * ldb * 4, as: SIMD16<Float>.self)
            c0 = c0 + SIMD16(repeating: a0[kk]) * w
            c1 = c1 + SIMD16(repeating: a1[kk]) * w
            c2 = c2 + SIMD16(repeating: a2[kk]) * w
            c3 = c3 + SIMD16(repeating: a3[kk]) * w
            c4 = c4 + SIMD16(repeating: a4[kk]) * w
            c5 = c5 + SIMD16(repeating: a5[kk]) * w
            c6 = c6 + SIMD16(repeating: a6[kk]) * w
            c7 = c7 + SIMD16(repeating: a7[kk]) * w
        }
        let results = (c0, c1, c2, c3, c4, c5, c6, c7)
        withUnsafeBytes(of: results) { raw in
            let sums = raw.bindMemory(to: Float.self)                   // (8, 16)
            if cols == 16 {
                for i in 0..<rows {
                    UnsafeMutableRawPointer(c + i * ldc).storeBytes(
                        of: raw.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Float>.self),
                        as: SIMD16<Float>.self)
                }
            } else {
                for i in 0..<rows {
                    for j in 0..<cols { c[i * ldc + j] = sums[i * 16 + j] }
                }
            }
        }
    }
}
