/// Direct convolution, plain nested loops, no im2col: the twin of `Conv2D` and `Im2col`, and
/// what the IR interpreter runs for `conv2d`, its two gradients, `im2col` and `col2im`.
/// x (N, H, W, Cin), W (KH, KW, Cin, F), y (N, OH, OW, F).
///
/// Every function walks the same taps (`forEachTap`: output pixel, then kernel row, column and
/// input channel, skipping the padding), so each output sums its products in (kh, kw, c) order.
/// The entry points are specialised for Float and Double (`@_specialize(exported:)`), so the
/// interpreter in another module runs plain loops, not generic code.
public enum ConvReference {
    /// Calls `body(inputIndex, weightIndexWithoutF, outputIndexWithoutF)` for every in-image tap:
    /// the kernel element of filter f is `wBase + f`, the output element `yBase + f`.
    @inline(__always)
    static func forEachTap(_ g: ConvGeometry, _ body: (_ xIndex: Int, _ wBase: Int, _ yBase: Int) -> Void) {
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            let yBase = ((n * g.outHeight + oh) * g.outWidth + ow) * g.filters
            for kh in 0..<g.kernelHeight {
                let h = oh * g.strideHeight - g.padTop + kh
                if h < 0 || h >= g.inHeight { continue }
                for kw in 0..<g.kernelWidth {
                    let w = ow * g.strideWidth - g.padLeft + kw
                    if w < 0 || w >= g.inWidth { continue }
                    for c in 0..<g.inChannels {
                        body(((n * g.inHeight + h) * g.inWidth + w) * g.inChannels + c,
                             ((kh * g.kernelWidth + kw) * g.inChannels + c) * g.filters, yBase)
                    }
                }
            }
        } } }
    }

    /// y (N, OH, OW, F), overwritten: conv(x, W) (no bias, no activation).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func forward<T: ReferenceScalar>(_ g: ConvGeometry, input: UnsafePointer<T>, weights: UnsafePointer<T>,
                                                   output: UnsafeMutablePointer<T>) {
        output.update(repeating: 0, count: g.outputCount)
        let f = g.filters
        forEachTap(g) { xi, wb, yb in
            let x = input[xi]
            for k in 0..<f { output[yb + k] += x * weights[wb + k] }
        }
    }

    /// dX (N, H, W, Cin), overwritten: every output gradient times the weight that linked them.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backwardInput<T: ReferenceScalar>(_ g: ConvGeometry, outputGradient: UnsafePointer<T>,
                                                         weights: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>) {
        inputGradient.update(repeating: 0, count: g.inputCount)
        let f = g.filters
        forEachTap(g) { xi, wb, yb in
            var sum: T = 0
            for k in 0..<f { sum += outputGradient[yb + k] * weights[wb + k] }
            inputGradient[xi] += sum
        }
    }

    /// dW (KH, KW, Cin, F), overwritten: every output gradient times the input it read.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backwardFilter<T: ReferenceScalar>(_ g: ConvGeometry, input: UnsafePointer<T>,
                                                          outputGradient: UnsafePointer<T>, weightGradient: UnsafeMutablePointer<T>) {
        weightGradient.update(repeating: 0, count: g.weightCount)
        let f = g.filters
        forEachTap(g) { xi, wb, yb in
            let x = input[xi]
            for k in 0..<f { weightGradient[wb + k] += x * outputGradient[yb + k] }
        }
    }

    /// The im2col matrix (N*OH*OW, KH*KW*Cin), overwritten: zero where a tap falls in the padding.
    /// `g.filters` is ignored (the matrix does not depend on it).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func im2col<T: ReferenceScalar>(_ g: ConvGeometry, input: UnsafePointer<T>, columns: UnsafeMutablePointer<T>) {
        let taps = single(g)
        columns.update(repeating: 0, count: g.batch * g.pixelsPerImage * g.patchSize)
        let width = g.patchSize
        forEachTap(taps) { xi, wb, yb in columns[yb * width + wb] = input[xi] }
    }

    /// dX (N, H, W, Cin), overwritten: the adjoint of `im2col`, each column entry added back to
    /// the pixel it was read from. `g.filters` is ignored.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func col2im<T: ReferenceScalar>(_ g: ConvGeometry, columns: UnsafePointer<T>, image: UnsafeMutablePointer<T>) {
        let taps = single(g)
        image.update(repeating: 0, count: g.inputCount)
        let width = g.patchSize
        forEachTap(taps) { xi, wb, yb in image[xi] += columns[yb * width + wb] }
    }

    /// The geometry with one filter, so `forEachTap`'s bases index the im2col matrix directly
    /// (weight base = column, output base = row).
    static func single(_ g: ConvGeometry) -> ConvGeometry {
        ConvGeometry(batch: g.batch, inHeight: g.inHeight, inWidth: g.inWidth, inChannels: g.inChannels,
                     kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth, filters: 1,
                     strideHeight: g.strideHeight, strideWidth: g.strideWidth, padding: g.padding)
    }
}
