/// Depthwise convolution, seven plain loops: the twin of `DepthwiseConv`, and what the IR
/// interpreter runs. x (N, H, W, Cin), kernel (KH, KW, Cin, M), bias (Cin*M),
/// y (N, OH, OW, Cin*M) with output channel c*M + m reading input channel c only.
///
/// The entry points are specialised for Float and Double here (`@_specialize(exported:)`), so a
/// caller in another module (the interpreter) runs plain loops, not generic code (5x faster).
public enum DepthwiseConvReference {
    /// The input element (n, h, w, c) a tap reads, or nil in the padding.
    @inline(__always)
    static func inputIndex(_ g: DepthwiseGeometry, _ n: Int, _ oh: Int, _ ow: Int, _ kh: Int, _ kw: Int, _ c: Int) -> Int? {
        let h = oh * g.strideHeight - g.padTop + kh, w = ow * g.strideWidth - g.padLeft + kw
        if h < 0 || h >= g.inHeight || w < 0 || w >= g.inWidth { return nil }
        return ((n * g.inHeight + h) * g.inWidth + w) * g.inChannels + c
    }

    /// The output element (n, oh, ow, c*M + m).
    @inline(__always)
    static func outputIndex(_ g: DepthwiseGeometry, _ n: Int, _ oh: Int, _ ow: Int, _ c: Int, _ m: Int) -> Int {
        ((n * g.outHeight + oh) * g.outWidth + ow) * g.outChannels + c * g.multiplier + m
    }

    /// The kernel element (kh, kw, c, m).
    @inline(__always)
    static func weightIndex(_ g: DepthwiseGeometry, _ kh: Int, _ kw: Int, _ c: Int, _ m: Int) -> Int {
        ((kh * g.kernelWidth + kw) * g.inChannels + c) * g.multiplier + m
    }

    /// y (N, OH, OW, Cin*M) = activation(dwconv(x, kernel) + bias); `bias` (Cin*M) may be nil.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func forward<T: ReferenceScalar>(_ g: DepthwiseGeometry, input: UnsafePointer<T>, weights: UnsafePointer<T>,
                                                   bias: UnsafePointer<T>? = nil, activation: EpilogueActivation = .linear,
                                                   output: UnsafeMutablePointer<T>) {
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            for c in 0..<g.inChannels { for m in 0..<g.multiplier {
                var sum: T = bias?[c * g.multiplier + m] ?? 0
                for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
                    if let i = inputIndex(g, n, oh, ow, kh, kw, c) {
                        sum += input[i] * weights[weightIndex(g, kh, kw, c, m)]
                    }
                } }
                output[outputIndex(g, n, oh, ow, c, m)] = EpilogueReference.activate(sum, activation)
            } }
        } } }
    }

    /// dX (N, H, W, Cin), overwritten: every output gradient times the weight that linked it
    /// to the input, summed over the taps and the multiplier. `outputGradient` is dY
    /// (N, OH, OW, Cin*M), already through the activation's backward.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backwardInput<T: ReferenceScalar>(_ g: DepthwiseGeometry, outputGradient: UnsafePointer<T>,
                                                         weights: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>) {
        inputGradient.update(repeating: 0, count: g.inputCount)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            for c in 0..<g.inChannels { for m in 0..<g.multiplier {
                let dy = outputGradient[outputIndex(g, n, oh, ow, c, m)]
                for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
                    if let i = inputIndex(g, n, oh, ow, kh, kw, c) {
                        inputGradient[i] += dy * weights[weightIndex(g, kh, kw, c, m)]
                    }
                } }
            } }
        } } }
    }

    /// dKernel (KH, KW, Cin, M), overwritten: every output gradient times the input it read,
    /// summed over the batch and the output pixels.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backwardFilter<T: ReferenceScalar>(_ g: DepthwiseGeometry, input: UnsafePointer<T>,
                                                          outputGradient: UnsafePointer<T>, weightGradient: UnsafeMutablePointer<T>) {
        weightGradient.update(repeating: 0, count: g.weightCount)
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth {
            for c in 0..<g.inChannels { for m in 0..<g.multiplier {
                let dy = outputGradient[outputIndex(g, n, oh, ow, c, m)]
                for kh in 0..<g.kernelHeight { for kw in 0..<g.kernelWidth {
                    if let i = inputIndex(g, n, oh, ow, kh, kw, c) {
                        weightGradient[weightIndex(g, kh, kw, c, m)] += dy * input[i]
                    }
                } }
            } }
        } } }
    }

    /// dBias (Cin*M), overwritten: the sums of dY over the batch and the output pixels.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func backwardBias<T: ReferenceScalar>(_ g: DepthwiseGeometry, outputGradient: UnsafePointer<T>,
                                                        biasGradient: UnsafeMutablePointer<T>) {
        EpilogueReference.biasGradient(outputGradient, rows: g.outputCount / g.outChannels, columns: g.outChannels,
                                       into: biasGradient)
    }
}
