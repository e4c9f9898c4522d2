import ConvnetOptimizer
import Dispatch

/// The fast matrix unit: `C = A * B` with bfloat16 operands and float32 accumulation, bit for bit
/// what `SystolicArraySimulator` computes, at CPU speed.
///
/// **Why it is exact.** The simulated array forms every output as one float32 chain in k order,
/// `((0 + a0*w0) + a1*w1) + ...`, each step a float32 multiply then a float32 add (see
/// `SystolicArraySimulator`). This kernel keeps one accumulator per output and walks k from 0 to
/// K-1 in the same order, so each output sees the same operations on the same values. The step is
/// a fused multiply-add when `ExponentRange` proves every product of the block exact in float32
/// (then fused and separate give the same bits; that is the normal case), and a separate
/// multiply and add otherwise (tiny or huge operands, where a product would be rounded).
/// The plan's folds decide the cycle count, not the arithmetic, so the numbers do not depend on
/// the array size.
///
/// **How it is fast.** B is rounded to bfloat16 once per call and zero-padded to a multiple of
/// 16 columns. The rows of A are cut into blocks of 8; each block is rounded into a small
/// cache-resident panel (measuring its exponent range on the way), then 8 x 32 tiles (or 8 x 16
/// for the last strip) of `SIMD16<Float>` accumulators run down k. Blocks are shared out over the
/// cores with `DispatchQueue.concurrentPerform`.
public enum MXU {
    /// Rows of A handled together by the micro-kernel: 8 accumulators of 16 lanes.
    static let blockRows = 8
    /// Bytes of A rounded in one go (see `run`): well inside a core's L2 cache.
    static let chunkBytes = 64 * 1024
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
        var bRange = ExponentRange.empty
        for kk in 0..<k {
            bRange.merge(BFloat16.roundAndMeasure(b + kk * n, into: bq + kk * paddedN, count: n))
            (bq + kk * paddedN + n).initialize(repeating: 0, count: paddedN - n)
        }

        let blocks = (m + blockRows - 1) / blockRows
        let workers = m * k * n < parallelThreshold ? 1 : max(1, min(threads, blocks))
        let operands = Operands(a: a, bq: UnsafePointer(bq), bRange: bRange, c: c, m: m, k: k, n: n,
                                paddedN: paddedN)
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
        let bRange: ExponentRange            // of the values in bq
        let c: UnsafeMutablePointer<Float>   // (M, N)
        let m: Int, k: Int, n: Int, paddedN: Int
    }

    /// Computes the rows of blocks `blocks` (each `blockRows` rows of A and C).
    ///
    /// Rows are rounded a chunk of about 64 KiB at a time rather than one block at a time: one
    /// long sequential pass keeps the hardware prefetcher streaming A from memory, where short
    /// 8-row bursts between kernel calls left the rounding waiting on DRAM.
    static func run(_ o: Operands, blocks: Range<Int>) {
        let k = o.k
        let chunkBlocks = max(1, chunkBytes / (blockRows * k * 4))
        let panel = UnsafeMutablePointer<Float>.allocate(capacity: chunkBlocks * blockRows * k)  // (rows, K)
        defer { panel.deallocate() }
        var first = blocks.lowerBound
        while first < blocks.upperBound {
            let last = min(first + chunkBlocks, blocks.upperBound)
            let row0 = first * blockRows
            let rowsHere = min((last - first) * blockRows, o.m - row0)
            let range = BFloat16.roundAndMeasure(o.a + row0 * k, into: panel, count: rowsHere * k)
            let paddedRows = (last - first) * blockRows
            if rowsHere < paddedRows {
                (panel + rowsHere * k).initialize(repeating: 0, count: (paddedRows - rowsHere) * k)
            }
            let fused = range.productsAreExact(with: o.bRange)
            for block in first..<last {
                let blockPanel = panel + (block - first) * blockRows * k
                let rows = min(blockRows, o.m - block * blockRows)
                if fused {
                    runBlock(FusedMultiplyAdd.self, o, panel: blockPanel, row0: block * blockRows, rows: rows)
                } else {
                    runBlock(SeparateMultiplyAdd.self, o, panel: blockPanel, row0: block * blockRows, rows: rows)
                }
            }
            first = last
        }
    }

    /// One block of rows against every strip of B: two strips at a time while two remain.
    @inline(__always)
    static func runBlock<Op: MultiplyAdd>(_ op: Op.Type, _ o: Operands, panel: UnsafePointer<Float>,
                                          row0: Int, rows: Int) {
        var col = 0
        while col < o.n {
            let c = o.c + row0 * o.n + col
            if o.n - col > 16 {
                kernel8x32(op, panel: panel, k: o.k, b: o.bq + col, ldb: o.paddedN, c: c, ldc: o.n,
                           rows: rows, cols: min(32, o.n - col))
                col += 32
            } else {
                kernel8x16(op, panel: panel, k: o.k, b: o.bq + col, ldb: o.paddedN, c: c, ldc: o.n,
                           rows: rows, cols: o.n - col)
                col += 16
            }
        }
    }

    /// Eight rows by one 16-column strip: `c[i, j] = sum over kk in order of panel[i, kk] *
    /// b[kk, j]`, one accumulator per output. Only `rows` x `cols` of the result are stored.
    @inline(__always)
    static func kernel8x16<Op: MultiplyAdd>(_ op: Op.Type, panel: UnsafePointer<Float>, k: Int,
                                            b: UnsafePointer<Float>, ldb: Int,
                                            c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int) {
        var acc = Tile8()
        let a = RowPointers(panel, k)
        var w = UnsafeRawPointer(b)
        for kk in 0..<k {
            let wv = w.loadUnaligned(as: SIMD16<Float>.self)
            Op.step(&acc.r0, a.p0[kk], wv); Op.step(&acc.r1, a.p1[kk], wv)
            Op.step(&acc.r2, a.p2[kk], wv); Op.step(&acc.r3, a.p3[kk], wv)
            Op.step(&acc.r4, a.p4[kk], wv); Op.step(&acc.r5, a.p5[kk], wv)
            Op.step(&acc.r6, a.p6[kk], wv); Op.step(&acc.r7, a.p7[kk], wv)
            w += ldb &* 4
        }
        acc.store(to: c, ldc: ldc, rows: rows, cols: cols)
    }

    /// Eight rows by two 16-column strips: each broadcast A value feeds two vectors, halving
    /// the loads per multiply-add. Same order per output as `kernel8x16`.
    @inline(__always)
    static func kernel8x32<Op: MultiplyAdd>(_ op: Op.Type, panel: UnsafePointer<Float>, k: Int,
                                            b: UnsafePointer<Float>, ldb: Int,
                                            c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int) {
        var left = Tile8(), right = Tile8()
        let a = RowPointers(panel, k)
        var w = UnsafeRawPointer(b)
        for kk in 0..<k {
            let wl = w.loadUnaligned(as: SIMD16<Float>.self)
            let wr = w.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
            let x0 = a.p0[kk], x1 = a.p1[kk], x2 = a.p2[kk], x3 = a.p3[kk]
            Op.step(&left.r0, x0, wl); Op.step(&right.r0, x0, wr)
            Op.step(&left.r1, x1, wl); Op.step(&right.r1, x1, wr)
            Op.step(&left.r2, x2, wl); Op.step(&right.r2, x2, wr)
            Op.step(&left.r3, x3, wl); Op.step(&right.r3, x3, wr)
            let x4 = a.p4[kk], x5 = a.p5[kk], x6 = a.p6[kk], x7 = a.p7[kk]
            Op.step(&left.r4, x4, wl); Op.step(&right.r4, x4, wr)
            Op.step(&left.r5, x5, wl); Op.step(&right.r5, x5, wr)
            Op.step(&left.r6, x6, wl); Op.step(&right.r6, x6, wr)
            Op.step(&left.r7, x7, wl); Op.step(&right.r7, x7, wr)
            w += ldb &* 4
        }
        left.store(to: c, ldc: ldc, rows: rows, cols: 16)
        right.store(to: c + 16, ldc: ldc, rows: rows, cols: cols - 16)
    }
}

/// The eight row pointers of a packed (8, K) panel.
struct RowPointers {
    let p0, p1, p2, p3, p4, p5, p6, p7: UnsafePointer<Float>

    @inline(__always)
    init(_ panel: UnsafePointer<Float>, _ k: Int) {
        p0 = panel; p1 = panel + k; p2 = panel + 2 * k; p3 = panel + 3 * k
        p4 = panel + 4 * k; p5 = panel + 5 * k; p6 = panel + 6 * k; p7 = panel + 7 * k
    }
}

/// Eight 16-lane accumulators: one row each of an (8, 16) output tile, kept in registers.
struct Tile8 {
    var r0 = SIMD16<Float>(), r1 = SIMD16<Float>(), r2 = SIMD16<Float>(), r3 = SIMD16<Float>()
    var r4 = SIMD16<Float>(), r5 = SIMD16<Float>(), r6 = SIMD16<Float>(), r7 = SIMD16<Float>()

    /// Writes the top-left `rows` x `cols` of the tile to `c` (row stride `ldc`).
    @inline(__always)
    func store(to c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int) {
        withUnsafeBytes(of: self) { tile in                             // (8, 16)
            for i in 0..<rows {
                if cols == 16 {
                    UnsafeMutableRawPointer(c + i * ldc).storeBytes(
                        of: tile.loadUnaligned(fromByteOffset: i * 64, as: SIMD16<Float>.self),
                        as: SIMD16<Float>.self)
                } else {
                    for j in 0..<cols {
                        c[i * ldc + j] = tile.loadUnaligned(fromByteOffset: (i * 16 + j) * 4, as: Float.self)
                    }
                }
            }
        }
    }
}

/// How one PE step `acc + a * w` is evaluated on 16 lanes.
protocol MultiplyAdd {
    static func step(_ acc: inout SIMD16<Float>, _ a: Float, _ w: SIMD16<Float>)
}

/// A float32 multiply, rounded, then a float32 add: exactly the simulated PE.
enum SeparateMultiplyAdd: MultiplyAdd {
    @inline(__always)
    static func step(_ acc: inout SIMD16<Float>, _ a: Float, _ w: SIMD16<Float>) {
        acc = acc + SIMD16(repeating: a) * w
    }
}

/// A fused multiply-add (one rounding): the PE's result whenever the product is exact, which
/// `ExponentRange.productsAreExact` guarantees before this is used. Twice the throughput.
enum FusedMultiplyAdd: MultiplyAdd {
    @inline(__always)
    static func step(_ acc: inout SIMD16<Float>, _ a: Float, _ w: SIMD16<Float>) {
        acc.addProduct(SIMD16(repeating: a), w)
    }
}
