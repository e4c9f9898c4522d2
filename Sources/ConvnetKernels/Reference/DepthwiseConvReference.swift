/// Depthwise convolution, plain loops: every input channel c has its own M filters, and output
/// channel c*M + m reads only channel c. x (N, H, W, C), W (KH, KW, C, M), y (N, OH, OW, C*M).
/// The geometry's `filters` is C*M (the output channels), its `inChannels` C.
public enum DepthwiseConvReference {
    /// Calls `body(xIndex, wIndex, yIndex)` for every in-image tap of every output element.
    @inline(__always)
    static func forEachTap(_ g: ConvGeometry, _ body: (Int, Int, Int) -> Void) {
        let c = g.inChannels, m = g.filters / max(g.inChannels, 1)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let yBase = ((n * g.outHeight + oh) * g.outWidth + ow) * c * m
            for kh in 0..<g.kernelHeight {
                let h = oh * g.strideHeight - g.padTop + kh
                if h < 0 || h >= g.inHeight { continue }
                for kw in 0..<g.kernelWidth {
                    let w = ow * g.strideWidth - g.padLeft + kw
                    if w < 0 || w >= g.inWidth { continue }
                    let xBase = ((n * g.inHeight + h) * g.inWidth + w) * c
                    let wBase = (kh * g.kernelWidth + kw) * c * m
                    for ch in 0..<c { for k in 0..<m {
                        body(xBase + ch, wBase + ch * m + k, yBase + ch * m + k)
                    } }
                }
            }
        } } }
    }

    /// y = depthwise(x, W) (no bias, no activation).
    public static func forward<T: ReferenceScalar>(_ g: ConvGeometry, input: UnsafePointer<T>, weights: UnsafePointer<T>,
                                                   output: UnsafeMutablePointer<T>) {
        output.update(repeating: 0, count: g.batch * g.outHeight * g.outWidth * g.filters)
        forEachTap(g) { xi, wi, yi in output[yi] += input[xi] * weights[wi] }
    }

    /// dx = the adjoint of `forward` in x.
    public static func inputGradient<T: ReferenceScalar>(_ g: ConvGeometry, outputGradient: UnsafePointer<T>,
                                                         weights: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>) {
        inputGradient.update(repeating: 0, count: g.batch * g.inHeight * g.inWidth * g.inChannels)
        forEachTap(g) { xi, wi, yi in inputGradient[xi] += outputGradient[yi] * weights[wi] }
    }

    /// dW = the adjoint of `forward` in W.
    public static func filterGradient<T: ReferenceScalar>(_ g: ConvGeometry, input: UnsafePointer<T>,
                                                          outputGradient: UnsafePointer<T>,
                                                          weightsGradient: UnsafeMutablePointer<T>) {
        weightsGradient.update(repeating: 0, count: g.kernelHeight * g.kernelWidth * g.filters)
        forEachTap(g) { xi, wi, yi in weightsGradient[wi] += input[xi] * outputGradient[yi] }
    }
}
