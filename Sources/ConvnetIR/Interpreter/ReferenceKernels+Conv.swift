import ConvnetKernels

/// Convolution, its two gradients, im2col/col2im and matmul: tensor-level wrappers over
/// `ConvReference` and `GEMMReference`.
extension ReferenceKernels {
    /// The kernels' geometry for input `x` (B,H,W,C) and `filters` output channels.
    static func convGeometry(input x: [Int], filters: Int, _ a: ConvAttributes) -> ConvGeometry {
        ConvGeometry(batch: x[0], inHeight: x[1], inWidth: x[2], inChannels: x[3],
                     kernelHeight: a.kernelHeight, kernelWidth: a.kernelWidth, filters: filters,
                     stride: a.stride, padding: a.padding == .same ? .same : .valid)
    }

    /// y (B,OH,OW,F) = conv(x (B,H,W,C), w (KH,KW,C,F))
    public static func conv2d<S: IRScalar>(_ x: Tensor<S>, _ w: Tensor<S>, _ a: ConvAttributes) -> Tensor<S> {
        let g = convGeometry(input: x.shape, filters: w.shape[3], a)
        return make([g.batch, g.outHeight, g.outWidth, g.filters]) { y in
            read(x) { xp in read(w) { wp in ConvReference.forward(g, input: xp, weights: wp, output: y) } }
        }
    }

    /// dx (B,H,W,C) from dy (B,OH,OW,F) and w (KH,KW,C,F)
    public static func conv2dInputGrad<S: IRScalar>(_ dy: Tensor<S>, _ w: Tensor<S>, inputShape: [Int],
                                                    _ a: ConvAttributes) -> Tensor<S> {
        let g = convGeometry(input: inputShape, filters: w.shape[3], a)
        return make(inputShape) { dx in
            read(dy) { dp in read(w) { wp in ConvReference.backwardInput(g, outputGradient: dp, weights: wp, inputGradient: dx) } }
        }
    }

    /// dw (KH,KW,C,F) from x (B,H,W,C) and dy (B,OH,OW,F)
    public static func conv2dFilterGrad<S: IRScalar>(_ x: Tensor<S>, _ dy: Tensor<S>, _ a: ConvAttributes) -> Tensor<S> {
        let g = convGeometry(input: x.shape, filters: dy.shape[3], a)
        return make([g.kernelHeight, g.kernelWidth, g.inChannels, g.filters]) { dw in
            read(x) { xp in read(dy) { dp in ConvReference.backwardFilter(g, input: xp, outputGradient: dp, weightGradient: dw) } }
        }
    }

    /// cols (B*OH*OW, KH*KW*C) from x (B,H,W,C); zero where a tap falls in the padding.
    public static func im2col<S: IRScalar>(_ x: Tensor<S>, _ a: ConvAttributes) -> Tensor<S> {
        let g = convGeometry(input: x.shape, filters: 1, a)
        return make([g.batch * g.pixelsPerImage, g.patchSize]) { cols in
            read(x) { xp in ConvReference.im2col(g, input: xp, columns: cols) }
        }
    }

    /// x (B,H,W,C) = the adjoint of im2col: each column entry is added back to its pixel.
    public static func col2im<S: IRScalar>(_ cols: Tensor<S>, inputShape: [Int], _ a: ConvAttributes) -> Tensor<S> {
        let g = convGeometry(input: inputShape, filters: 1, a)
        return make(inputShape) { x in read(cols) { cp in ConvReference.col2im(g, columns: cp, image: x) } }
    }

    /// c (M,N) = op(a) x op(b), with op a transpose when asked. a, b rank 2.
    public static func matmul<S: IRScalar>(_ a: Tensor<S>, _ b: Tensor<S>, transposeA: Bool, transposeB: Bool) -> Tensor<S> {
        let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
        let n = transposeB ? b.shape[0] : b.shape[1]
        return make([m, n]) { c in
            read(a) { ap in read(b) { bp in
                GEMMReference.gemm(m: m, n: n, k: k, a: ap, transposeA: transposeA, b: bp, transposeB: transposeB, c: c)
            } }
        }
    }
}
