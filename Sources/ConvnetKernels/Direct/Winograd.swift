/// 3x3, stride-1 convolutions by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray,
/// "Fast Algorithms for Convolutional Neural Networks", 2016): each 2x2 block of outputs is
///
///     Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
///
/// for the 4x4 input tile d under it and every 3x3 filter g, so the products per block and
/// channel pair drop from 36 to 16 (2.25x fewer). The elementwise products summed over input
/// channels are 16 matrix products, (tiles x C) by (C x F), run on the same register-blocked
/// micro-kernels as the direct convolutions. The input gradient is the same computation on dY
/// with the flipped weights; the filter gradient is its transpose, F(3x3, 2x2)
/// (`filterGradient`).
///
/// Why: on this machine the direct kernels already run near the FMA units' rate, so the
/// remaining way to a faster convolution is fewer multiplications. The transforms add only
/// additions and halvings, and in float32 the result differs from the direct sum by rounding
/// only (about 1e-6 relative for the flowers model's layers; the tests hold it to 1e-4 like
/// every other kernel). The bfloat16 (TPU) numerics keep the direct kernels: they must sum in
/// im2col's order.
///
/// Layout, per tile row (output rows 2i and 2i+1) and part of the batch:
/// - `strip` (4, 2T + 2, Cp): the input rows under the tiles, zero-padded at the borders and to
///   whole vectors of channels, so the input transform never checks bounds;
/// - `v` (16, T, Cp): Bᵀ d B for every tile t and channel;
/// - `m` (16, T, Fp): its products with the transformed weights `u` (16, C, Fp), summed over C.
struct Winograd {
    let s: SlidingWindow
    /// Tiles across and down.
    let tilesAcross: Int, tilesDown: Int
    /// Input channels and output channels rounded up to whole vectors.
    let cp: Int, fp: Int
    let stripWidth: Int
    /// Floats of per-part scratch: strip, v and m.
    let partFloats: Int
    /// Floats of per-part scratch for the filter gradient: strip, v, dY's two rows (2, 2T, Fp),
    /// their transform e (16, T, Fp) and the sums m (16, C, Fp).
    let filterPartFloats: Int
    /// The products' register blocks: groups of output vectors, runs of tiles.
    let groups: [(first: Int, count: Int)]
    let runs: [Int]
    /// The filter gradient's register blocks: runs of input channels.
    let channelRuns: [Int]

    /// Whether `s` is a 3x3 window (stride 1 is implied by `SlidingWindow`) with at most one
    /// pixel of padding before each axis, so that a tile's 4x4 window covers it.
    static func applies(_ s: SlidingWindow) -> Bool {
        s.kernelHeight == 3 && s.kernelWidth == 3 && (0...2).contains(s.padTop) && (0...2).contains(s.padLeft)
            && s.outHeight >= 1 && s.outWidth >= 1
    }

    /// Whether F(2x2, 3x3) is faster than the direct kernels for `s`: with few channels on
    /// either side the transforms (per input channel and per output channel) cost more than
    /// the products saved (per pair). A/B in one process (8 interleaved pairs, CPU time) on the
    /// flowers model's layers at batch 32, input -> output channels: forward 16 -> 30 0.86x,
    /// 30 -> 60 1.23x, 60 -> 90 1.49x, 90 -> 110 1.66x; input gradients 30 -> 16 0.74x,
    /// 60 -> 30 1.15x, 90 -> 60 1.54x, 110 -> 90 1.52x.
    static func gains(_ s: SlidingWindow) -> Bool { s.inChannels >= 24 && s.outChannels >= 24 }

    init(_ s: SlidingWindow) {
        self.s = s
        tilesAcross = (s.outWidth + 1) / 2
        tilesDown = (s.outHeight + 1) / 2
        cp = (s.inChannels + 15) / 16 * 16
        fp = s.paddedOutChannels
        stripWidth = 2 * tilesAcross + 2
        partFloats = 4 * stripWidth * cp + 16 * tilesAcross * cp + 16 * tilesAcross * fp
        filterPartFloats = 4 * stripWidth * cp + 16 * tilesAcross * cp + 2 * 2 * tilesAcross * fp
            + 16 * tilesAcross * fp + 16 * s.inChannels * fp
        groups = VectorGroups.split(fp / 16)
        runs = VectorGroups.rowRuns(tilesAcross, vectors: groups.map(\.count).max()!)
        channelRuns = VectorGroups.rowRuns(s.inChannels, vectors: groups.map(\.count).max()!)
    }

    /// Floats of `transformWeights`' output: (16, C, Fp).
    var weightFloats: Int { 16 * s.inChannels * fp }

    /// u (16, C, Fp) = G g Gᵀ for every (c, f), from `packed` (3, 3, C, Fp).
    func transformWeights(_ packed: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let c = s.inChannels
        typealias V = SIMD16<Float>
        for ci in 0..<c {
            for f0 in stride(from: 0, to: fp, by: 16) {
                @inline(__always) func g(_ kh: Int, _ kw: Int) -> V { MicroKernels.load(packed + ((kh * 3 + kw) * c + ci) * fp + f0) }
                // (G g) Gᵀ, row i of G g being (a, b, c): (a, (a+b+c)/2, (a-b+c)/2, c).
                @inline(__always) func put(_ i: Int, _ a: V, _ b: V, _ cc: V) {
                    let base = u + ci * fp + f0
                    MicroKernels.store(a, base + (i * 4 + 0) * c * fp)
                    MicroKernels.store((a + b + cc) * 0.5, base + (i * 4 + 1) * c * fp)
                    MicroKernels.store((a - b + cc) * 0.5, base + (i * 4 + 2) * c * fp)
                    MicroKernels.store(cc, base + (i * 4 + 3) * c * fp)
                }
                // G g: rows g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2, column by column.
                @inline(__always) func row(_ kw: Int) -> (V, V, V, V) {
                    let a = g(0, kw), b = g(1, kw), cc = g(2, kw)
                    return (a, (a + b + cc) * 0.5, (a - b + cc) * 0.5, cc)
                }
                let k0 = row(0), k1 = row(1), k2 = row(2)
                put(0, k0.0, k1.0, k2.0)
                put(1, k0.1, k1.1, k2.1)
                put(2, k0.2, k1.2, k2.2)
                put(3, k0.3, k1.3, k2.3)
            }
        }
    }

    /// Every output pixel of images `images` for transformed weights `u`: `finish(values, n, oh,
    /// ow)` receives its Fp sums (contiguous) and writes it, pixels of a tile row in order along
    /// each row (so a store that runs past a pixel lands on one written later, except at the
    /// end of a row); `afterRows(n, rows)` follows each tile row. `scratch` holds `partFloats`,
    /// `pixel` 4 x Fp floats.
    func run(input: UnsafePointer<Float>, u: UnsafePointer<Float>, images: Range<Int>, scratch: UnsafeMutablePointer<Float>,
             pixel: UnsafeMutablePointer<Float>,
             finish: (_ values: UnsafeMutablePointer<Float>, _ n: Int, _ oh: Int, _ ow: Int) -> Void,
             afterRows: (_ n: Int, _ rows: Range<Int>) -> Void) {
        let c = s.inChannels, t = tilesAcross
        let strip = scratch                                   // (4, stripWidth, Cp)
        let v = strip + 4 * stripWidth * cp                   // (16, T, Cp)
        let m = v + 16 * t * cp                               // (16, T, Fp)
        strip.update(repeating: 0, count: 4 * stripWidth * cp)
        for n in images {
            for ti in 0..<tilesDown {
                gather(input, n: n, tileRow: ti, into: strip)
                transformInput(strip, into: v)
                // m[k] = v[k] (T x C) * u[k] (C x Fp), in register blocks.
                for k in 0..<16 {
                    for group in groups {
                        var t0 = 0
                        for count in runs {
                            let call = MicroKernelCall(
                                a: UnsafePointer(v + (k * t + t0) * cp), aRow: cp, aStep: 1, aInner: 0, aOuter: 0,
                                b: u + k * c * fp + group.first * 16, bStep: fp, bInner: 0, bOuter: 0,
                                length: c, innerCount: 1, outerCount: 1,
                                out: m + (k * t + t0) * fp + group.first * 16, outStride: fp, accumulate: false)
                            MicroKernels.run(rows: count, vectors: group.count, call)
                            t0 += count
                        }
                    }
                }
                transformOutput(m, n: n, tileRow: ti, pixel: pixel, finish: finish)
                let top = 2 * ti
                afterRows(n, top..<min(top + 2, s.outHeight))
            }
        }
    }

    /// The filter gradient by F(3x3, 2x2), the same algorithm transposed: for the 4x4 input
    /// tile D under each 2x2 block E of dY,
    ///
    ///     dW += Gᵀ [ (A E Aᵀ) ⊙ (Bᵀ D B) ] G
    ///
    /// with the forward's A, B and G. The products are summed over tiles and images in the
    /// transformed domain (16 products (C x tiles) by (tiles x Fp) per tile row, on the filter
    /// gradient's register blocks: rows are channels, the reduction runs along the tiles), and
    /// transformed back once. `partial` (3, 3, C, Fp) is overwritten with images' sum.
    ///
    /// A/B against the direct kernels in one process (8 interleaved pairs, CPU time, batch 32):
    /// 1.33x, 1.56x and 1.48x on the flowers model's 30 -> 60, 60 -> 90 and 90 -> 110 layers.
    /// Against sums in double precision over the same data, its largest error on 40 sampled
    /// weights was the direct kernels' or smaller (0.31 vs 0.34, 0.024 vs 0.024, 0.0009 vs 0.0016
    /// on sums of magnitude 1,900, 490 and 210).
    func filterGradient(input: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, images: Range<Int>,
                        scratch: UnsafeMutablePointer<Float>, into partial: UnsafeMutablePointer<Float>) {
        let c = s.inChannels, f = s.outChannels, t = tilesAcross
        let strip = scratch                                   // (4, stripWidth, Cp)
        let v = strip + 4 * stripWidth * cp                   // (16, T, Cp)
        let rows = v + 16 * t * cp                            // (2, 2T, Fp)
        let e = rows + 2 * 2 * t * fp                         // (16, T, Fp)
        let m = e + 16 * t * fp                               // (16, C, Fp)
        strip.update(repeating: 0, count: 4 * stripWidth * cp)
        rows.update(repeating: 0, count: 2 * 2 * t * fp)
        m.update(repeating: 0, count: 16 * c * fp)
        for n in images {
            for ti in 0..<tilesDown {
                gather(input, n: n, tileRow: ti, into: strip)
                transformInput(strip, into: v)
                // dY rows 2ti and 2ti+1, pixels Fp apart, zero past the output.
                for a in 0..<2 {
                    let oh = 2 * ti + a, row = rows + a * 2 * t * fp
                    for ow in 0..<(2 * t) {
                        if oh < s.outHeight && ow < s.outWidth {
                            (row + ow * fp).update(from: dy + ((n * s.outHeight + oh) * s.outWidth + ow) * f, count: f)
                        } else {
                            (row + ow * fp).update(repeating: 0, count: f)
                        }
                    }
                }
                transformGradient(rows, into: e)
                // m[k] (C x Fp) += v[k]ᵀ (C x T) e[k] (T x Fp).
                for k in 0..<16 {
                    for group in groups {
                        var c0 = 0
                        for count in channelRuns {
                            let call = MicroKernelCall(
                                a: UnsafePointer(v + k * t * cp + c0), aRow: 1, aStep: cp, aInner: 0, aOuter: 0,
                                b: e + k * t * fp + group.first * 16, bStep: fp, bInner: 0, bOuter: 0,
                                length: t, innerCount: 1, outerCount: 1,
                                out: m + (k * c + c0) * fp + group.first * 16, outStride: fp, accumulate: true)
                            MicroKernels.run(rows: count, vectors: group.count, call)
                            c0 += count
                        }
                    }
                }
            }
        }
        // dW = Gᵀ m G: over i, rows (m0 + (m1+m2)/2, (m1-m2)/2, (m1+m2)/2 + m3); the same over j.
        typealias V = SIMD16<Float>
        for ci in 0..<c {
            for f0 in stride(from: 0, to: fp, by: 16) {
                @inline(__always) func mm(_ i: Int, _ j: Int) -> V { MicroKernels.load(m + ((i * 4 + j) * c + ci) * fp + f0) }
                @inline(__always) func row(_ j: Int) -> (V, V, V) {
                    let a = mm(0, j), b = mm(1, j), cc = mm(2, j), d = mm(3, j)
                    return (a + (b + cc) * 0.5, (b - cc) * 0.5, (b + cc) * 0.5 + d)
                }
                let k0 = row(0), k1 = row(1), k2 = row(2), k3 = row(3)
                @inline(__always) func put(_ kh: Int, _ a: V, _ b: V, _ cc: V, _ d: V) {
                    let base = partial + (kh * 3 * c + ci) * fp + f0
                    MicroKernels.store(a + (b + cc) * 0.5, base)
                    MicroKernels.store((b - cc) * 0.5, base + c * fp)
                    MicroKernels.store((b + cc) * 0.5 + d, base + 2 * c * fp)
                }
                put(0, k0.0, k1.0, k2.0, k3.0)
                put(1, k0.1, k1.1, k2.1, k3.1)
                put(2, k0.2, k1.2, k2.2, k3.2)
            }
        }
    }

    /// e[k][t] = (A E Aᵀ)[k] for the 2x2 block E of tile t in `rows` (2, 2T, Fp).
    private func transformGradient(_ rows: UnsafeMutablePointer<Float>, into e: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let t = tilesAcross
        for tile in 0..<t {
            for f0 in stride(from: 0, to: fp, by: 16) {
                @inline(__always) func g(_ a: Int, _ b: Int) -> V { MicroKernels.load(rows + (a * 2 * t + 2 * tile + b) * fp + f0) }
                // A E, column b: (e0, e0 + e1, e0 - e1, -e1); then each row (p, q) -> (p, p + q, p - q, -q).
                let e00 = g(0, 0), e01 = g(0, 1), e10 = g(1, 0), e11 = g(1, 1)
                @inline(__always) func put(_ i: Int, _ p: V, _ q: V) {
                    let base = e + tile * fp + f0
                    MicroKernels.store(p, base + (i * 4 + 0) * t * fp)
                    MicroKernels.store(p + q, base + (i * 4 + 1) * t * fp)
                    MicroKernels.store(p - q, base + (i * 4 + 2) * t * fp)
                    MicroKernels.store(-q, base + (i * 4 + 3) * t * fp)
                }
                put(0, e00, e01)
                put(1, e00 + e10, e01 + e11)
                put(2, e00 - e10, e01 - e11)
                put(3, -e10, -e11)
            }
        }
    }

    /// strip (4, stripWidth, Cp) = input rows 2i - padTop ..< +4, columns -padLeft ..< +stripWidth
    /// of image n, zero outside the image (the channel padding stays zero from the start).
    private func gather(_ input: UnsafePointer<Float>, n: Int, tileRow ti: Int, into strip: UnsafeMutablePointer<Float>) {
        let c = s.inChannels
        for r in 0..<4 {
            let ih = 2 * ti - s.padTop + r
            let row = strip + r * stripWidth * cp
            guard ih >= 0 && ih < s.inHeight else {
                for q in 0..<stripWidth { (row + q * cp).update(repeating: 0, count: c) }
                continue
            }
            let source = input + (n * s.inHeight + ih) * s.inWidth * c                   // (W, C)
            for q in 0..<stripWidth {
                let iw = q - s.padLeft
                if iw >= 0 && iw < s.inWidth {
                    (row + q * cp).update(from: source + iw * c, count: c)
                } else {
                    (row + q * cp).update(repeating: 0, count: c)
                }
            }
        }
    }

    /// v[k][t] = (Bᵀ d B)[k] for the 4x4 window d of tile t in the strip, 16 channels at a time.
    private func transformInput(_ strip: UnsafeMutablePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        typealias V = SIMD16<Float>
        let t = tilesAcross
        for tile in 0..<t {
            for c0 in stride(from: 0, to: cp, by: 16) {
                @inline(__always) func d(_ r: Int, _ q: Int) -> V {
                    MicroKernels.load(strip + (r * stripWidth + 2 * tile + q) * cp + c0)
                }
                // Bᵀ d, column q: (d0 - d2, d1 + d2, d2 - d1, d1 - d3).
                @inline(__always) func column(_ q: Int) -> (V, V, V, V) {
                    let a0 = d(0, q), a1 = d(1, q), a2 = d(2, q), a3 = d(3, q)
                    return (a0 - a2, a1 + a2, a2 - a1, a1 - a3)
                }
                // (Bᵀ d) B, row i (x0, x1, x2, x3): (x0 - x2, x1 + x2, x2 - x1, x1 - x3).
                @inline(__always) func put(_ i: Int, _ x0: V, _ x1: V, _ x2: V, _ x3: V) {
                    let base = v + tile * cp + c0
                    MicroKernels.store(x0 - x2, base + (i * 4 + 0) * t * cp)
                    MicroKernels.store(x1 + x2, base + (i * 4 + 1) * t * cp)
                    MicroKernels.store(x2 - x1, base + (i * 4 + 2) * t * cp)
                    MicroKernels.store(x1 - x3, base + (i * 4 + 3) * t * cp)
                }
                let k0 = column(0), k1 = column(1), k2 = column(2), k3 = column(3)
                put(0, k0.0, k1.0, k2.0, k3.0)
                put(1, k0.1, k1.1, k2.1, k3.1)
                put(2, k0.2, k1.2, k2.2, k3.2)
                put(3, k0.3, k1.3, k2.3, k3.3)
            }
        }
    }

    /// Y = Aᵀ m A for every tile of tile row `ti`, into `pixel` (4 pixels x Fp), then handed
    /// to `finish` pixel by pixel (those inside the output).
    private func transformOutput(_ m: UnsafeMutablePointer<Float>, n: Int, tileRow ti: Int, pixel: UnsafeMutablePointer<Float>,
                                 finish: (UnsafeMutablePointer<Float>, Int, Int, Int) -> Void) {
        typealias V = SIMD16<Float>
        let t = tilesAcross
        for tile in 0..<t {
            for f0 in stride(from: 0, to: fp, by: 16) {
                // Aᵀ m, column j: (m0 + m1 + m2, m1 - m2 - m3).
                @inline(__always) func column(_ j: Int) -> (V, V) {
                    @inline(__always) func mm(_ i: Int) -> V { MicroKernels.load(m + ((i * 4 + j) * t + tile) * fp + f0) }
                    let a = mm(0), b = mm(1), c = mm(2), d = mm(3)
                    return (a + b + c, b - c - d)
                }
                let k0 = column(0), k1 = column(1), k2 = column(2), k3 = column(3)
                // (Aᵀ m) A, row (x0, x1, x2, x3): (x0 + x1 + x2, x1 - x2 - x3).
                MicroKernels.store(k0.0 + k1.0 + k2.0, pixel + 0 * fp + f0)
                MicroKernels.store(k1.0 - k2.0 - k3.0, pixel + 1 * fp + f0)
                MicroKernels.store(k0.1 + k1.1 + k2.1, pixel + 2 * fp + f0)
                MicroKernels.store(k1.1 - k2.1 - k3.1, pixel + 3 * fp + f0)
            }
            for a in 0..<2 where 2 * ti + a < s.outHeight {
                for b in 0..<2 where 2 * tile + b < s.outWidth {
                    finish(pixel + (2 * a + b) * fp, n, 2 * ti + a, 2 * tile + b)
                }
            }
        }
    }
}
