/// Convolution, its two gradients, and im2col/col2im, all sharing Keras' `same` padding split.
extension ReferenceKernels {
    /// The geometry of one convolution: input `(B,H,W,C)`, kernel `(KH,KW,C,F)`, output `(B,OH,OW,F)`.
    struct ConvGeometry {
        let b, h, w, c, kh, kw, f, oh, ow, stride, padTop, padLeft: Int

        init(input x: [Int], filters f: Int, _ a: ConvAttributes) {
            b = x[0]; h = x[1]; w = x[2]; c = x[3]
            kh = a.kernelHeight; kw = a.kernelWidth; self.f = f; stride = a.stride
            oh = a.outputExtent(h, kernel: kh); ow = a.outputExtent(w, kernel: kw)
            padTop = a.padBefore(h, kernel: kh); padLeft = a.padBefore(w, kernel: kw)
        }

        /// Calls `body(xIndex, wIndexWithoutF, yIndexWithoutF)` for every in-image tap;
        /// the caller loops over `f` (kernel index is `wBase + f`, output `yBase + f`).
        func forEachTap(_ body: (_ xIndex: Int, _ wBase: Int, _ yBase: Int) -> Void) {
            for n in 0..<b {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let yBase = ((n * oh + oy) * ow + ox) * f
                        for ky in 0..<kh {
                            let iy = oy * stride - padTop + ky
                            if iy < 0 || iy >= h { continue }
                            for kx in 0..<kw {
                                let ix = ox * stride - padLeft + kx
                                if ix < 0 || ix >= w { continue }
                                for ch in 0..<c {
                                    body(((n * h + iy) * w + ix) * c + ch, ((ky * kw + kx) * c + ch) * f, yBase)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// y (B,OH,OW,F) = conv(x (B,H,W,C), w (KH,KW,C,F))
    public static func conv2d<S: IRScalar>(_ x: Tensor<S>, _ w: Tensor<S>, _ a: ConvAttributes) -> Tensor<S> {
        let g = ConvGeometry(input: x.shape, filters: w.shape[3], a)
        var y = [S](repeating: 0, count: g.b * g.oh * g.ow * g.f)  // (B,OH,OW,F)
        let f = g.f
        x.scalars.withUnsafeBufferPointer { xp in
            w.scalars.withUnsafeBufferPointer { wp in
                y.withUnsafeMutableBufferPointer { yp in
                    g.forEachTap { xi, wb, yb in
                        let xv = xp[xi]
                        for k in 0..<f { yp[yb + k] += xv * wp[wb + k] }
                    }
                }
            }
        }
        return Tensor(shape: [g.b, g.oh, g.ow, g.f], scalars: y)
    }

    /// dx (B,H,W,C) from dy (B,OH,OW,F) and w (KH,KW,C,F)
    public static func conv2dInputGrad<S: IRScalar>(_ dy: Tensor<S>, _ w: Tensor<S>, inputShape: [Int],
                                                    _ a: ConvAttributes) -> Tensor<S> {
        let g = ConvGeometry(input: inputShape, filters: w.shape[3], a)
        var dx = [S](repeating: 0, count: inputShape.reduce(1, *))  // (B,H,W,C)
        let f = g.f
        dy.scalars.withUnsafeBufferPointer { dyp in
            w.scalars.withUnsafeBufferPointer { wp in
                dx.withUnsafeMutableBufferPointer { dxp in
                    g.forEachTap { xi, wb, yb in
                        var s: S = 0
                        for k in 0..<f { s += dyp[yb + k] * wp[wb + k] }
                        dxp[xi] += s
                    }
                }
            }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }

    /// dw (KH,KW,C,F) from x (B,H,W,C) and dy (B,OH,OW,F)
    public static func conv2dFilterGrad<S: IRScalar>(_ x: Tensor<S>, _ dy: Tensor<S>, _ a: ConvAttributes) -> Tensor<S> {
        let g = ConvGeometry(input: x.shape, filters: dy.shape[3], a)
        var dw = [S](repeating: 0, count: g.kh * g.kw * g.c * g.f)  // (KH,KW,C,F)
        let f = g.f
        x.scalars.withUnsafeBufferPointer { xp in
            dy.scalars.withUnsafeBufferPointer { dyp in
                dw.withUnsafeMutableBufferPointer { dwp in
                    g.forEachTap { xi, wb, yb in
                        let xv = xp[xi]
                        for k in 0..<f { dwp[wb + k] += xv * dyp[yb + k] }
                    }
                }
            }
        }
        return Tensor(shape: [g.kh, g.kw, g.c, g.f], scalars: dw)
    }

    /// cols (B*OH*OW, KH*KW*C) from x (B,H,W,C); zero where a tap falls in the padding.
    public static func im2col<S: IRScalar>(_ x: Tensor<S>, _ a: ConvAttributes) -> Tensor<S> {
        let g = ConvGeometry(input: x.shape, filters: 1, a)
        let width = g.kh * g.kw * g.c
        var cols = [S](repeating: 0, count: g.b * g.oh * g.ow * width)  // (B*OH*OW, KH*KW*C)
        x.scalars.withUnsafeBufferPointer { xp in
            cols.withUnsafeMutableBufferPointer { cp in
                g.forEachTap { xi, wb, yb in cp[yb * width + wb] = xp[xi] }
            }
        }
        return Tensor(shape: [g.b * g.oh * g.ow, width], scalars: cols)
    }

    /// x (B,H,W,C) = the adjoint of im2col: each column entry is added back to its pixel.
    public static func col2im<S: IRScalar>(_ cols: Tensor<S>, inputShape: [Int], _ a: ConvAttributes) -> Tensor<S> {
        let g = ConvGeometry(input: inputShape, filters: 1, a)
        let width = g.kh * g.kw * g.c
        var x = [S](repeating: 0, count: inputShape.reduce(1, *))  // (B,H,W,C)
        cols.scalars.withUnsafeBufferPointer { cp in
            x.withUnsafeMutableBufferPointer { xp in
                g.forEachTap { xi, wb, yb in xp[xi] += cp[yb * width + wb] }
            }
        }
        return Tensor(shape: inputShape, scalars: x)
    }

    /// c = op(a) x op(b), with op a transpose when asked. a, b rank 2.
    public static func matmul<S: IRScalar>(_ a: Tensor<S>, _ b: Tensor<S>, transposeA: Bool, transposeB: Bool) -> Tensor<S> {
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let n = transposeB ? b.shape[0] : b.shape[1]
        var c = [S](repeating: 0, count: m * n)  // (M,N)
        a.scalars.withUnsafeBufferPointer { ap in
            b.scalars.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    for i in 0..<m {
                        for p in 0..<k {
                            let av = transposeA ? ap[p * m + i] : ap[i * k + p]
                            if av == 0 { continue }
                            if transposeB {
                                for j in 0..<n { cp[i * n + j] += av * bp[j * k + p] }
                            } else {
                                for j in 0..<n { cp[i * n + j] += av * bp[p * n + j] }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [m, n], scalars: c)
    }
}
