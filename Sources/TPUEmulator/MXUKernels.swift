// The MXU micro-kernels: 8 rows of A against 16 or 32 columns of B, one SIMD16 accumulator per
// row and strip, k in order.

extension MXU {
    /// One block of output: rows of a packed panel times a packed slice of B, into C.
    struct Tile {
        let panel: UnsafePointer<Float>          // (8, depth), or (depth, 8) if kMajor; rounded
        let depth: Int
        let b: UnsafePointer<Float>              // (depth, ldb), rounded, zero-padded
        let ldb: Int
        let c: UnsafeMutablePointer<Float>       // top-left of the block in C, row stride ldc
        let ldc: Int
        let rows: Int, cols: Int                 // the part of the 8 x cols block inside C
        /// Continue the sums already in C (a later K slice) rather than start from +0.
        let accumulate: Bool
        /// The panel is stored column by column, (depth, 8), as packed from a transposed A.
        let kMajor: Bool

        init(panel: UnsafeMutablePointer<Float>, depth: Int, b: UnsafeMutablePointer<Float>, ldb: Int,
             c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int, accumulate: Bool, kMajor: Bool) {
            self.panel = UnsafePointer(panel)
            self.depth = depth
            self.b = UnsafePointer(b)
            self.ldb = ldb
            self.c = c
            self.ldc = ldc
            self.rows = rows
            self.cols = cols
            self.accumulate = accumulate
            self.kMajor = kMajor
        }

        /// All strips of the block, with the panel layout resolved once.
        @inline(__always)
        func run<Op: MultiplyAdd>(_ op: Op.Type) {
            if kMajor { run(op, KMajorPanel.self) } else { run(op, RowMajorPanel.self) }
        }

        /// All strips of the block: two at a time while more than one remains.
        @inline(__always)
        func run<Op: MultiplyAdd, L: PanelLayout>(_ op: Op.Type, _ layout: L.Type) {
            var col = 0
            while col < cols {
                if cols - col > 16 {
                    strips2(op, layout, col: col, width: min(32, cols - col))
                    col += 32
                } else {
                    strip1(op, layout, col: col, width: cols - col)
                    col += 16
                }
            }
        }

        /// Eight rows by one 16-column strip: `acc[i] += panel[i, kk] * b[kk, col...]` for kk in
        /// order. Only `rows` x `width` of the result are stored.
        @inline(__always)
        func strip1<Op: MultiplyAdd, L: PanelLayout>(_ op: Op.Type, _ layout: L.Type, col: Int, width: Int) {
            var acc = accumulate ? Tile8(loading: c + col, ldc: ldc, rows: rows, cols: width) : Tile8()
            let a = panel, d = depth
            var w = UnsafeRawPointer(b + col)
            for kk in 0..<depth {
                let wv = w.loadUnaligned(as: SIMD16<Float>.self)
                Op.step(&acc.r0, L.at(a, d, 0, kk), wv); Op.step(&acc.r1, L.at(a, d, 1, kk), wv)
                Op.step(&acc.r2, L.at(a, d, 2, kk), wv); Op.step(&acc.r3, L.at(a, d, 3, kk), wv)
                Op.step(&acc.r4, L.at(a, d, 4, kk), wv); Op.step(&acc.r5, L.at(a, d, 5, kk), wv)
                Op.step(&acc.r6, L.at(a, d, 6, kk), wv); Op.step(&acc.r7, L.at(a, d, 7, kk), wv)
                w += ldb &* 4
            }
            acc.store(to: c + col, ldc: ldc, rows: rows, cols: width)
        }

        /// Eight rows by two 16-column strips: each broadcast A value feeds two vectors, halving
        /// the loads per multiply-add, and 16 independent chains hide the FMA latency. Same
        /// order per output as `strip1`.
        @inline(__always)
        func strips2<Op: MultiplyAdd, L: PanelLayout>(_ op: Op.Type, _ layout: L.Type, col: Int, width: Int) {
            var left = accumulate ? Tile8(loading: c + col, ldc: ldc, rows: rows, cols: 16) : Tile8()
            var right = accumulate ? Tile8(loading: c + col + 16, ldc: ldc, rows: rows, cols: width - 16) : Tile8()
            let a = panel, d = depth
            var w = UnsafeRawPointer(b + col)
            for kk in 0..<depth {
                let wl = w.loadUnaligned(as: SIMD16<Float>.self)
                let wr = w.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                let x0 = L.at(a, d, 0, kk), x1 = L.at(a, d, 1, kk), x2 = L.at(a, d, 2, kk), x3 = L.at(a, d, 3, kk)
                Op.step(&left.r0, x0, wl); Op.step(&right.r0, x0, wr)
                Op.step(&left.r1, x1, wl); Op.step(&right.r1, x1, wr)
                Op.step(&left.r2, x2, wl); Op.step(&right.r2, x2, wr)
                Op.step(&left.r3, x3, wl); Op.step(&right.r3, x3, wr)
                let x4 = L.at(a, d, 4, kk), x5 = L.at(a, d, 5, kk), x6 = L.at(a, d, 6, kk), x7 = L.at(a, d, 7, kk)
                Op.step(&left.r4, x4, wl); Op.step(&right.r4, x4, wr)
                Op.step(&left.r5, x5, wl); Op.step(&right.r5, x5, wr)
                Op.step(&left.r6, x6, wl); Op.step(&right.r6, x6, wr)
                Op.step(&left.r7, x7, wl); Op.step(&right.r7, x7, wr)
                w += ldb &* 4
            }
            left.store(to: c + col, ldc: ldc, rows: rows, cols: 16)
            right.store(to: c + col + 16, ldc: ldc, rows: rows, cols: width - 16)
        }
    }
}

/// Where element (row, kk) of an 8-row panel lives.
protocol PanelLayout {
    static func at(_ panel: UnsafePointer<Float>, _ depth: Int, _ row: Int, _ kk: Int) -> Float
}

/// (8, depth): rows of A copied as they are, the layout of a plain A.
enum RowMajorPanel: PanelLayout {
    @inline(__always)
    static func at(_ panel: UnsafePointer<Float>, _ depth: Int, _ row: Int, _ kk: Int) -> Float {
        panel[row &* depth &+ kk]
    }
}

/// (depth, 8): the 8 values of each k side by side, the layout a transposed A packs into with
/// contiguous 8-float copies (a row-major panel would need a scalar transpose).
enum KMajorPanel: PanelLayout {
    @inline(__always)
    static func at(_ panel: UnsafePointer<Float>, _ depth: Int, _ row: Int, _ kk: Int) -> Float {
        panel[kk &* 8 &+ row]
    }
}

/// Eight 16-lane accumulators: one row each of an (8, 16) output tile, kept in registers.
struct Tile8 {
    var r0 = SIMD16<Float>(), r1 = SIMD16<Float>(), r2 = SIMD16<Float>(), r3 = SIMD16<Float>()
    var r4 = SIMD16<Float>(), r5 = SIMD16<Float>(), r6 = SIMD16<Float>(), r7 = SIMD16<Float>()

    /// All +0.
    init() {}

    /// The top-left `rows` x `cols` read from `c` (row stride `ldc`), the rest +0.
    @inline(__always)
    init(loading c: UnsafePointer<Float>, ldc: Int, rows: Int, cols: Int) {
        withUnsafeMutableBytes(of: &self) { tile in                     // (8, 16)
            for i in 0..<rows {
                for j in 0..<cols { tile.storeBytes(of: c[i * ldc + j], toByteOffset: (i * 16 + j) * 4, as: Float.self) }
            }
        }
    }

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
