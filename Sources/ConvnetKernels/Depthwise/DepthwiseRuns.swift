/// The inner loops of `DepthwiseConv`, vectorised over channels with `SIMD16<Float>`.
///
/// A depthwise convolution has no reduction over channels: every channel is its own tiny 2-D
/// convolution, so the natural vector is 16 neighbouring channels of one pixel (NHWC keeps them
/// contiguous) and the work is a list of taps, each a (source offset, weight offset) pair.
/// The row drivers in `DepthwiseConv` build those lists once per row (all KH x KW taps for
/// pixels away from the border, the in-range subset for each border pixel), so these loops
/// never test a bound.
///
/// Channel counts that are not a multiple of 16 end with one vector that overlaps the previous
/// one (channels C-16..<C): recomputing a few channels gives the same values again, so stores
/// may simply overwrite them; only the filter gradient, which adds, masks the repeated lanes.
/// Fewer than 16 channels run a scalar loop.
enum DepthwiseRuns {
    /// Where a run of taps reads: `input[t]` is added to the source pointer, `weight[t]` to
    /// the weights pointer, for `count` taps.
    struct Taps {
        let input: UnsafeMutablePointer<Int>
        let weight: UnsafeMutablePointer<Int>
        var count = 0

        mutating func append(input i: Int, weight w: Int) {
            input[count] = i
            weight[count] = w
            count += 1
        }
    }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    /// For `pixels` pixels p and every channel o < `channels`:
    /// dst[p*dstStep + o] = epilogue(initial[o] + sum_t src[taps.input[t] + p*srcStep + o] * weights[taps.weight[t] + o]),
    /// where `initial` is the bias (nil: zero) and the epilogue is relu when `relu`, else nothing.
    /// With no taps the pixels get `initial` (a padding-only window).
    static func pixels(_ pixels: Int, src: UnsafePointer<Float>, srcStep: Int,
                       dst: UnsafeMutablePointer<Float>, dstStep: Int, taps: Taps,
                       weights: UnsafePointer<Float>, initial: UnsafePointer<Float>?, relu: Bool, channels: Int) {
        if channels < 16 {
            scalarPixels(pixels, src: src, srcStep: srcStep, dst: dst, dstStep: dstStep, taps: taps,
                         weights: weights, initial: initial, relu: relu, channels: channels)
            return
        }
        var p = 0
        while p + 8 <= pixels {
            block8(src + p * srcStep, srcStep, dst + p * dstStep, dstStep, taps, weights, initial, relu, channels)
            p += 8
        }
        while p < pixels {
            block1(src + p * srcStep, dst + p * dstStep, taps, weights, initial, relu, channels)
            p += 1
        }
    }

    /// Eight pixels at once: each weight vector loaded once serves eight fused multiply-adds,
    /// and the eight independent chains hide the FMA latency.
    @inline(never)
    static func block8(_ s: UnsafePointer<Float>, _ ss: Int, _ d: UnsafeMutablePointer<Float>, _ ds: Int, _ taps: Taps,
                       _ w: UnsafePointer<Float>, _ initial: UnsafePointer<Float>?, _ relu: Bool, _ channels: Int) {
        let tapInput = taps.input, tapWeight = taps.weight, count = taps.count
        var c0 = 0
        while c0 < channels {
            let c = min(c0, channels - 16)
            let start: SIMD16<Float> = initial.map { load($0 + c) } ?? .zero
            var a0 = start, a1 = start, a2 = start, a3 = start, a4 = start, a5 = start, a6 = start, a7 = start
            for t in 0..<count {
                let wv = load(w + tapWeight[t] + c)
                let p = s + tapInput[t] + c
                a0 = a0.addingProduct(load(p), wv)
                a1 = a1.addingProduct(load(p + ss), wv)
                a2 = a2.addingProduct(load(p + 2 * ss), wv)
                a3 = a3.addingProduct(load(p + 3 * ss), wv)
                a4 = a4.addingProduct(load(p + 4 * ss), wv)
                a5 = a5.addingProduct(load(p + 5 * ss), wv)
                a6 = a6.addingProduct(load(p + 6 * ss), wv)
                a7 = a7.addingProduct(load(p + 7 * ss), wv)
            }
            if relu {
                let zero = SIMD16<Float>.zero
                a0 = pointwiseMax(a0, zero); a1 = pointwiseMax(a1, zero)
                a2 = pointwiseMax(a2, zero); a3 = pointwiseMax(a3, zero)
                a4 = pointwiseMax(a4, zero); a5 = pointwiseMax(a5, zero)
                a6 = pointwiseMax(a6, zero); a7 = pointwiseMax(a7, zero)
            }
            store(a0, d + c); store(a1, d + ds + c); store(a2, d + 2 * ds + c); store(a3, d + 3 * ds + c)
            store(a4, d + 4 * ds + c); store(a5, d + 5 * ds + c); store(a6, d + 6 * ds + c); store(a7, d + 7 * ds + c)
            c0 += 16
        }
    }

    /// One pixel: border pixels and the last few of a run.
    @inline(never)
    static func block1(_ s: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ taps: Taps,
                       _ w: UnsafePointer<Float>, _ initial: UnsafePointer<Float>?, _ relu: Bool, _ channels: Int) {
        let tapInput = taps.input, tapWeight = taps.weight, count = taps.count
        var c0 = 0
        while c0 < channels {
            let c = min(c0, channels - 16)
            var a: SIMD16<Float> = initial.map { load($0 + c) } ?? .zero
            for t in 0..<count {
                a = a.addingProduct(load(s + tapInput[t] + c), load(w + tapWeight[t] + c))
            }
            if relu { a = pointwiseMax(a, .zero) }
            store(a, d + c)
            c0 += 16
        }
    }

    /// Fewer than 16 channels: plain loops.
    static func scalarPixels(_ pixels: Int, src: UnsafePointer<Float>, srcStep: Int,
                             dst: UnsafeMutablePointer<Float>, dstStep: Int, taps: Taps,
                             weights: UnsafePointer<Float>, initial: UnsafePointer<Float>?, relu: Bool, channels: Int) {
        for p in 0..<pixels {
            let s = src + p * srcStep, d = dst + p * dstStep
            for o in 0..<channels {
                var a = initial?[o] ?? 0
                for t in 0..<taps.count { a += s[taps.input[t] + o] * weights[taps.weight[t] + o] }
                d[o] = relu ? max(a, 0) : a
            }
        }
    }

    /// The filter gradient's counterpart of `pixels`: for `pixels` pixels p, every tap t and
    /// channel o < `channels`, sums[taps.weight[t] + o] += dy[p*dyStep + o] * src[taps.input[t] + p*srcStep + o].
    /// Pixel-major, so x and dY stream through memory in order; each tap's sums (in L1) are
    /// read and written once per four pixels.
    static func filterPixels(_ pixels: Int, src: UnsafePointer<Float>, srcStep: Int,
                             dy: UnsafePointer<Float>, dyStep: Int, taps: Taps,
                             sums: UnsafeMutablePointer<Float>, channels: Int) {
        if channels < 16 {
            for p in 0..<pixels {
                let x = src + p * srcStep, d = dy + p * dyStep
                for t in 0..<taps.count {
                    for o in 0..<channels { sums[taps.weight[t] + o] += d[o] * x[taps.input[t] + o] }
                }
            }
            return
        }
        var p = 0
        while p + 4 <= pixels {
            filter4(src + p * srcStep, srcStep, dy + p * dyStep, dyStep, taps, sums, channels)
            p += 4
        }
        while p < pixels {
            filter1(src + p * srcStep, dy + p * dyStep, taps, sums, channels)
            p += 1
        }
    }

    /// Zeroes the lanes of the last, overlapping vector that the previous vector covered.
    @inline(__always) static func masked(_ v: SIMD16<Float>, start c: Int, covered c0: Int) -> SIMD16<Float> {
        if c == c0 { return v }
        let lane = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        return v.replacing(with: 0, where: lane .< SIMD16<Int32>(repeating: Int32(c0 - c)))
    }

    @inline(never)
    static func filter4(_ s: UnsafePointer<Float>, _ ss: Int, _ dy: UnsafePointer<Float>, _ ds: Int, _ taps: Taps,
                        _ sums: UnsafeMutablePointer<Float>, _ channels: Int) {
        let tapInput = taps.input, tapWeight = taps.weight, count = taps.count
        var c0 = 0
        while c0 < channels {
            let c = min(c0, channels - 16)
            let d0 = masked(load(dy + c), start: c, covered: c0), d1 = masked(load(dy + ds + c), start: c, covered: c0)
            let d2 = masked(load(dy + 2 * ds + c), start: c, covered: c0)
            let d3 = masked(load(dy + 3 * ds + c), start: c, covered: c0)
            for t in 0..<count {
                let p = s + tapInput[t] + c
                var a = d0 * load(p)
                a = a.addingProduct(d1, load(p + ss))
                a = a.addingProduct(d2, load(p + 2 * ss))
                a = a.addingProduct(d3, load(p + 3 * ss))
                let q = sums + tapWeight[t] + c
                store(load(q) + a, q)
            }
            c0 += 16
        }
    }

    @inline(never)
    static func filter1(_ s: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ taps: Taps,
                        _ sums: UnsafeMutablePointer<Float>, _ channels: Int) {
        let tapInput = taps.input, tapWeight = taps.weight, count = taps.count
        var c0 = 0
        while c0 < channels {
            let c = min(c0, channels - 16)
            let d = masked(load(dy + c), start: c, covered: c0)
            for t in 0..<count {
                let q = sums + tapWeight[t] + c
                store(load(q).addingProduct(d, load(s + tapInput[t] + c)), q)
            }
            c0 += 16
        }
    }

    /// e (pixels, C*M) = each channel of x (pixels, C) repeated M times, so that output
    /// channel c*M + m finds its input at its own index and the runs above serve every multiplier.
    static func expand(_ x: UnsafePointer<Float>, pixels: Int, channels: Int, multiplier: Int,
                       into e: UnsafeMutablePointer<Float>) {
        for p in 0..<pixels {
            let xp = x + p * channels, ep = e + p * channels * multiplier
            for c in 0..<channels {
                let v = xp[c]
                for m in 0..<multiplier { ep[c * multiplier + m] = v }
            }
        }
    }

    /// x (pixels, C) = sums over m of e (pixels, C*M): the adjoint of `expand`.
    static func contract(_ e: UnsafePointer<Float>, pixels: Int, channels: Int, multiplier: Int,
                         into x: UnsafeMutablePointer<Float>) {
        for p in 0..<pixels {
            let xp = x + p * channels, ep = e + p * channels * multiplier
            for c in 0..<channels {
                var s: Float = 0
                for m in 0..<multiplier { s += ep[c * multiplier + m] }
                xp[c] = s
            }
        }
    }
}
