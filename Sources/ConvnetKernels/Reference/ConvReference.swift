/// Direct convolution, seven nested loops, no im2col: the twin of `Conv2D` and `Im2col`.
/// x (N, H, W, Cin), W (KH, KW, Cin, F), y (N, OH, OW, F).
public enum ConvReference {
    /// The input element (n, h, w, c) a tap reads, or nil in the padding.
    @inline(__always)
    static func inputIndex(_ g: ConvGeometry, _ n: Int, _ oh: Int, _ ow: Int, _ kh: Int, _ kw: Int, _ c: Int) -> Int? {
        let h = oh * g.strideHeight - g.padTop + kh, w = ow * g.strideWidth - g.padLeft + kw
        if h < 0 || h >= g.inHeight || w < 0 || w >= g.inWidth { return nil }
        return ((n * g.inHeight + h) * g.inWidth + w) * g.inChannels + c
    }

    /// y = conv(x, W) (no bias, no activation).
    public static func forward<T: ReferenceScalar>(_ g: ConvGeometry, input: UnsafePointer<T>, weights: UnsafePointer<T>,
                                                   output: UnsafeMutablePointer<T>) {
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for f in 0..<g.filters {
            var sum: T = 0
            for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth { for c in 0..<g.inChannels {
                if let i = inputIndex(g, n, oh, ow, kh, kw, c) {
                    sum += input[i] * weights[((kh * g.kernelWidth + kw) * g.inChannels + c) * g.filters + f]
                }
            } } }
            output[((n * g.outHeight + oh) * g.outWidth + ow) * g.filters + f] = sum
        } } } }
    }

    /// dX (N, H, W, Cin), overwritten: every output gradient times the weight that linked them.
    public static func backwardInput<T: ReferenceScalar>(_ g: ConvGeometry, outputGradient: UnsafePointer<T>,
                                                         weights: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>) {
        inputGradient.update(repeating: 0, count: g.inputCount)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for f in 0..<g.filters {
            let dy = outputGradient[((n * g.outHeight + oh) * g.outWidth + ow) * g.filters + f]
            for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth { for c in 0..<g.inChannels {
                if let i = inputIndex(g, n, oh, ow, kh, kw, c) {
                    inputGradient[i] += dy * weights[((kh * g.kernelWidth + kw) * g.inChannels + c) * g.filters + f]
                }
            } } }
        } } } }
    }

    /// dW (KH, KW, Cin, F), overwritten: every output gradient times the input it read.
    public static func backwardFilter<T: ReferenceScalar>(_ g: ConvGeometry, input: UnsafePointer<T>,
                                                          outputGradient: UnsafePointer<T>, weightGradient: UnsafeMutablePointer<T>) {
        weightGradient.update(repeating: 0, count: g.weightCount)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for f in 0..<g.filters {
            let dy = outputGradient[((n * g.outHeight + oh) * g.outWidth + ow) * g.filters + f]
            for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth { for c in 0..<g.inChannels {
                if let i = inputIndex(g, n, oh, ow, kh, kw, c) {
                    weightGradient[((kh * g.kernelWidth + kw) * g.inChannels + c) * g.filters + f] += dy * input[i]
                }
            } } }
        } } } }
    }

    /// The im2col matrix (N*OH*OW, KH*KW*Cin), one element at a time.
    public static func im2col<T: ReferenceScalar>(_ g: ConvGeometry, input: UnsafePointer<T>, columns: UnsafeMutablePointer<T>) {
        var at = 0
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth { for c in 0..<g.inChannels {
                columns[at] = inputIndex(g, n, oh, ow, kh, kw, c).map { input[$0] } ?? 0
                at += 1
            } } }
        } } }
    }
}
