import ConvnetKernels

/// Depthwise convolution and its gradients, concat and its slice: tensor-level wrappers over the
/// naive kernels in `ConvnetKernels/Reference` (one implementation per op).
extension ReferenceKernels {
    /// The kernels' geometry for input `x` (B,H,W,C) and `multiplier` filters per channel.
    static func depthwiseGeometry(input x: [Int], multiplier: Int, _ a: ConvAttributes) -> DepthwiseGeometry {
        DepthwiseGeometry(batch: x[0], inHeight: x[1], inWidth: x[2], inChannels: x[3],
                          kernelHeight: a.kernelHeight, kernelWidth: a.kernelWidth, multiplier: multiplier,
                          stride: a.stride, padding: a.padding == .same ? .same : .valid)
    }

    /// y (B,OH,OW,C*M) = depthwise(x (B,H,W,C), w (KH,KW,C,M))
    public static func depthwiseConv2d<S: IRScalar>(_ x: Tensor<S>, _ w: Tensor<S>, _ a: ConvAttributes) -> Tensor<S> {
        let g = depthwiseGeometry(input: x.shape, multiplier: w.shape[3], a)
        var y = [S](repeating: 0, count: g.outputCount)
        x.scalars.withUnsafeBufferPointer { xp in w.scalars.withUnsafeBufferPointer { wp in
            y.withUnsafeMutableBufferPointer { yp in
                DepthwiseConvReference.forward(g, input: xp.baseAddress!, weights: wp.baseAddress!, output: yp.baseAddress!)
            }
        } }
        return Tensor(shape: [g.batch, g.outHeight, g.outWidth, g.outChannels], scalars: y)
    }

    /// dx (the declared `inputShape`) of `depthwiseConv2d` from dy and w.
    public static func depthwiseConv2dInputGrad<S: IRScalar>(_ dy: Tensor<S>, _ w: Tensor<S>, inputShape: [Int],
                                                            _ a: ConvAttributes) -> Tensor<S> {
        let g = depthwiseGeometry(input: inputShape, multiplier: w.shape[3], a)
        var dx = [S](repeating: 0, count: inputShape.reduce(1, *))
        dy.scalars.withUnsafeBufferPointer { dp in w.scalars.withUnsafeBufferPointer { wp in
            dx.withUnsafeMutableBufferPointer { xp in
                DepthwiseConvReference.backwardInput(g, outputGradient: dp.baseAddress!, weights: wp.baseAddress!,
                                                     inputGradient: xp.baseAddress!)
            }
        } }
        return Tensor(shape: inputShape, scalars: dx)
    }

    /// dw (KH,KW,C,M) of `depthwiseConv2d` from x and dy.
    public static func depthwiseConv2dFilterGrad<S: IRScalar>(_ x: Tensor<S>, _ dy: Tensor<S>, _ a: ConvAttributes) -> Tensor<S> {
        let m = dy.shape[3] / x.shape[3]
        let g = depthwiseGeometry(input: x.shape, multiplier: m, a)
        var dw = [S](repeating: 0, count: a.kernelHeight * a.kernelWidth * x.shape[3] * m)
        x.scalars.withUnsafeBufferPointer { xp in dy.scalars.withUnsafeBufferPointer { dp in
            dw.withUnsafeMutableBufferPointer { wp in
                DepthwiseConvReference.backwardFilter(g, input: xp.baseAddress!, outputGradient: dp.baseAddress!,
                                                      weightGradient: wp.baseAddress!)
            }
        } }
        return Tensor(shape: [a.kernelHeight, a.kernelWidth, x.shape[3], m], scalars: dw)
    }

    /// The operands joined on the last axis.
    public static func concat<S: IRScalar>(_ parts: [Tensor<S>]) -> Tensor<S> {
        let lead = Array(parts[0].shape.dropLast())
        let rows = lead.reduce(1, *)
        let channels = parts.map { $0.shape.last! }
        let out = ConcatReference.forward(parts: parts.map(\.scalars), channels: channels, rows: rows)
        return Tensor(shape: lead + [channels.reduce(0, +)], scalars: out)
    }

    /// Channels `start ..< start + count` of x.
    public static func channelSlice<S: IRScalar>(_ x: Tensor<S>, start: Int, count: Int) -> Tensor<S> {
        let c = x.shape.last!
        let rows = x.scalars.count / max(c, 1)
        var out = [S](repeating: 0, count: rows * count)
        x.scalars.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
            ConcatReference.slice(input: xp.baseAddress!, rows: rows, channels: c, start: start, count: count,
                                  output: op.baseAddress!)
        } }
        return Tensor(shape: x.shape.dropLast() + [count], scalars: out)
    }
}
