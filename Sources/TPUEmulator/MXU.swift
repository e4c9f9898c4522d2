import ConvnetOptimizer
import Dispatch

/// The fast matrix unit: `C = A * B` with bfloat16 operands and float32 accumulation, bit for bit
/// what `SystolicArraySimulator` computes, at CPU speed.
///
/// **Why it is exact.** The simulated array forms every output as one float32 chain in k order,
/// `((0 + a0*w0) + a1*w1) + ...`, each step a float32 multiply then a float32 add (see
/// `SystolicArraySimulator`). This kernel keeps one accumulator per output and walks k from 0 to
/// K-1 in the same order, so each output sees the same operations on the same values. When K is
/// long it is walked in slices, the accumulators parked in C between slices: storing and
/// reloading a float32 is exact, so the chain is unbroken. The step is a fused multiply-add when
/// `ExponentRange` proves every product of the slice exact in float32 (then fused and separate
/// give the same bits; that is the normal case), and a separate multiply and add otherwise (tiny
/// or huge operands, where a product would be rounded). The plan's folds decide the cycle count,
/// not the arithmetic, so the numbers do not depend on the array size.
///
/// **How it is fast.** Each worker owns a rectangle of C. For each slice of K it rounds its
/// columns of B to bfloat16 into a zero-padded cache-resident buffer, then rounds rows of A a
/// chunk at a time into a panel (measuring exponent ranges on the way), and runs 8 x 32 tiles
/// (8 x 16 for a last odd strip) of `SIMD16<Float>` accumulators down the slice. Workers run on
/// all cores with `DispatchQueue.concurrentPerform`.
public enum MXU {
    /// Rows of A handled together by the micro-kernel: 8 accumulators of 16 lanes per strip.
    static let blockRows = 8
    /// Bytes of A rounded in one go: one long sequential pass keeps the hardware prefetcher
    /// streaming A from memory (8-row bursts between kernel calls left it waiting on DRAM),
    /// and the panel stays well inside a core's L2 cache.
    static let chunkBytes = 64 * 1024
    /// Bytes of rounded B kept per slice of K; K is sliced so that this fits in L2 next to the
    /// panel. Forward convolutions (K up to a few hundred) fit in one slice.
    static let sliceBytes = 256 * 1024
    /// Below this many multiply-accumulates a call stays on the calling thread.
    static let parallelThreshold = 1 << 18

    /// `c = a * b` with `plan.m/k/n` giving the sizes, all row-major:
    /// `a` is (M, K), or (K, M) when `transposeA`; `b` is (K, N), or (N, K) when `transposeB`;
    /// `c` is (M, N). The transposed forms serve the backward pass (`dW = Xᵀ dY`, `dX = dY Wᵀ`)
    /// without copying. Operands are rounded to bfloat16; `a` and `b` are not modified; `c` is
    /// overwritten and must not overlap them. Returns the plan's cycle count (`TilePlan`).
    ///
    /// - Parameter threads: how many cores to use; defaults to all of them.
    @discardableResult
    public static func matmul(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                              plan: TilePlan, transposeA: Bool = false, transposeB: Bool = false,
                              threads: Int = defaultThreads) -> Int {
        let problem = Problem(a: a, b: b, c: c, m: plan.m, k: plan.k, n: plan.n,
                              transposeA: transposeA, transposeB: transposeB)
        run(problem, threads: threads)
        return plan.cycles
    }

    /// Array convenience: the product as a new (M, N) array (layouts as in the pointer form).
    public static func matmul(a: [Float], b: [Float], plan: TilePlan, transposeA: Bool = false,
                              transposeB: Bool = false, threads: Int = defaultThreads) -> [Float] {
        precondition(a.count == plan.m * plan.k && b.count == plan.k * plan.n, "operands do not match \(plan)")
        var c = [Float](repeating: 0, count: plan.m * plan.n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    _ = matmul(a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!, plan: plan,
                               transposeA: transposeA, transposeB: transposeB, threads: threads)
                }
            }
        }
        return c
    }

    /// All cores of this machine.
    public static var defaultThreads: Int { TPUDevice.hostCores }

    /// One call's operands, shared by the workers. Each worker writes a disjoint rectangle of
    /// `c`, so sharing the pointers is safe.
    struct Problem: @unchecked Sendable {
        let a: UnsafePointer<Float>          // (M, K), or (K, M) if transposeA
        let b: UnsafePointer<Float>          // (K, N), or (N, K) if transposeB
        let c: UnsafeMutablePointer<Float>   // (M, N)
        let m: Int, k: Int, n: Int
        let transposeA: Bool, transposeB: Bool
    }

    /// Splits C between workers and runs them, by rows (in 8-row blocks) or by columns (in
    /// 16-wide strips, e.g. for a dense layer's small batch).
    /// `depthLimit` caps the K slice (tests use it to force slicing on small inputs).
    static func run(_ p: Problem, threads: Int, depthLimit: Int = .max) {
        let blocks = (p.m + blockRows - 1) / blockRows
        let strips = (p.n + 15) / 16
        let workers = p.m * p.k * p.n < parallelThreshold ? 1 : max(1, min(threads, max(blocks, strips)))
        // Each worker packs (rounds) all of the operand it does not split: splitting rows
        // repeats B's K*N per worker, splitting columns repeats A's M*K. Repeat the smaller.
        let splitColumns = strips >= workers && (p.m <= p.n || blocks < workers)
        if workers == 1 {
            work(p, blocks: 0..<blocks, cols: 0..<p.n, depthLimit: depthLimit)
        } else if !splitColumns {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                work(p, blocks: (blocks * w / workers)..<(blocks * (w + 1) / workers), cols: 0..<p.n,
                     depthLimit: depthLimit)
            }
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let first = strips * w / workers * 16, last = min(p.n, strips * (w + 1) / workers * 16)
                work(p, blocks: 0..<blocks, cols: first..<last, depthLimit: depthLimit)
            }
        }
    }

    /// One worker: the rows of `blocks` and the columns `cols` of C, K slice by K slice.
    static func work(_ p: Problem, blocks: Range<Int>, cols: Range<Int>, depthLimit: Int) {
        guard !blocks.isEmpty && !cols.isEmpty else { return }
        let width = cols.count, ldb = (width + 15) / 16 * 16
        let sliceDepth = max(1, min(p.k, depthLimit, sliceBytes / (ldb * 4)))
        let chunkBlocks = max(1, min(blocks.count, chunkBytes / (blockRows * sliceDepth * 4)))
        // Scratch buffers; small ones land on the stack, which matters for tiny matmuls.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: sliceDepth * ldb) { bq in      // (depth, ldb)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: chunkBlocks * blockRows * sliceDepth) { panel in
                slices(p, blocks: blocks, cols: cols, sliceDepth: sliceDepth, chunkBlocks: chunkBlocks,
                       bq: bq.baseAddress!, panel: panel.baseAddress!)              // panel: (rows, depth)
            }
        }
    }

    /// The body of `work`: for each K slice, pack B, then pack A a chunk at a time and run the
    /// tiles of each 8-row block.
    static func slices(_ p: Problem, blocks: Range<Int>, cols: Range<Int>, sliceDepth: Int, chunkBlocks: Int,
                       bq: UnsafeMutablePointer<Float>, panel: UnsafeMutablePointer<Float>) {
        let width = cols.count, ldb = (width + 15) / 16 * 16
        var k0 = 0
        while k0 < p.k {
            let depth = min(sliceDepth, p.k - k0)
            let bRange = packB(p, k0: k0, depth: depth, cols: cols, into: bq, ldb: ldb)
            var first = blocks.lowerBound
            while first < blocks.upperBound {
                let last = min(first + chunkBlocks, blocks.upperBound)
                let row0 = first * blockRows
                let rows = min((last - first) * blockRows, p.m - row0)
                let aRange = packA(p, rows: row0..<(row0 + rows), paddedRows: (last - first) * blockRows,
                                   k0: k0, depth: depth, into: panel)
                let fused = aRange.productsAreExact(with: bRange)
                for block in first..<last {
                    let r0 = block * blockRows
                    let tile = Tile(panel: panel + (block - first) * blockRows * depth, depth: depth,
                                    b: bq, ldb: ldb, c: p.c + r0 * p.n + cols.lowerBound, ldc: p.n,
                                    rows: min(blockRows, p.m - r0), cols: width, accumulate: k0 > 0,
                                    kMajor: p.transposeA)
                    if fused { tile.run(FusedMultiplyAdd.self) } else { tile.run(SeparateMultiplyAdd.self) }
                }
                first = last
            }
            k0 += depth
        }
    }
}
