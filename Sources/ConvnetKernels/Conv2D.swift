/// 2-D convolution as im2col + GEMM, forward and both backward passes.
///
/// Buffers: input x (N, H, W, Cin), weights W (KH, KW, Cin, F) = (KH*KW*Cin, F) row-major,
/// output y (N, OH, OW, F) = (N*OH*OW, F). The im2col matrix of a whole batch can be large
/// (B=32, 192x192, 3x3x16: 680 MB), so the kernels work on chunks of images: the caller's
/// `scratch` holds the column matrix of as many images as fit (at least one, see
/// `scratchCount`), and the batch is processed chunk by chunk. Pointwise convolutions (1x1,
/// stride 1) need no scratch: the input is its own column matrix.
public enum Conv2D {
    /// Floats of scratch for `imagesPerChunk` images at a time (clamped to 1...batch);
    /// 0 for pointwise convolutions.
    public static func scratchCount(_ g: ConvGeometry, imagesPerChunk: Int = .max) -> Int {
        if g.isPointwise { return 0 }
        return min(max(imagesPerChunk, 1), g.batch) * g.pixelsPerImage * g.patchSize
    }

    /// How many images the given scratch holds.
    static func chunkSize(_ g: ConvGeometry, _ scratch: UnsafeMutableBufferPointer<Float>) -> Int {
        let perImage = g.pixelsPerImage * g.patchSize
        precondition(scratch.count >= perImage && scratch.baseAddress != nil,
                     "conv scratch holds \(scratch.count) floats; one image needs \(perImage)")
        return min(g.batch, scratch.count / perImage)
    }

    /// y (N, OH, OW, F) = activation(conv(x, W) + bias). `bias` (F) may be nil.
    public static func forward(_ g: ConvGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>? = nil, activation: EpilogueActivation = .linear,
                               output: UnsafeMutablePointer<Float>,
                               scratch: UnsafeMutableBufferPointer<Float>) {
        let f = g.filters, k = g.patchSize, pixels = g.pixelsPerImage
        if g.isPointwise {
            BLAS.gemm(m: g.batch * pixels, n: f, k: k, a: input, b: weights, c: output)
            Epilogue.biasActivation(output, rows: g.batch * pixels, columns: f, bias: bias, activation: activation)
            return
        }
        let chunk = chunkSize(g, scratch)
        let col = scratch.baseAddress!                                   // (chunk*OH*OW, KH*KW*Cin)
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = first..<min(first + chunk, g.batch)
            Im2col.im2col(g, input: input, images: images, columns: col)
            let out = output + first * pixels * f                        // (count*OH*OW, F)
            BLAS.gemm(m: images.count * pixels, n: f, k: k, a: col, b: weights, c: out)
            Epilogue.biasActivation(out, rows: images.count * pixels, columns: f, bias: bias, activation: activation)
        }
    }

    /// dW (KH*KW*Cin, F) = col(x)^T x dY, summed over the batch (chunk after chunk, in order);
    /// added to `weightGradient` when `accumulate`.
    public static func backwardFilter(_ g: ConvGeometry, input: UnsafePointer<Float>,
                                      outputGradient: UnsafePointer<Float>,
                                      weightGradient: UnsafeMutablePointer<Float>, accumulate: Bool = false,
                                      scratch: UnsafeMutableBufferPointer<Float>) {
        let f = g.filters, k = g.patchSize, pixels = g.pixelsPerImage
        if g.isPointwise {
            BLAS.gemm(m: k, n: f, k: g.batch * pixels, a: input, transposeA: true,
                      b: outputGradient, c: weightGradient, accumulate: accumulate)
            return
        }
        let chunk = chunkSize(g, scratch)
        let col = scratch.baseAddress!
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = first..<min(first + chunk, g.batch)
            Im2col.im2col(g, input: input, images: images, columns: col)
            BLAS.gemm(m: k, n: f, k: images.count * pixels, a: col, transposeA: true,
                      b: outputGradient + first * pixels * f,
                      c: weightGradient, accumulate: accumulate || first > 0)
        }
    }

    /// dX (N, H, W, Cin) = col2im(dY x W^T); overwrites `inputGradient`.
    public static func backwardInput(_ g: ConvGeometry, outputGradient: UnsafePointer<Float>,
                                     weights: UnsafePointer<Float>,
                                     inputGradient: UnsafeMutablePointer<Float>,
                                     scratch: UnsafeMutableBufferPointer<Float>) {
        let f = g.filters, k = g.patchSize, pixels = g.pixelsPerImage
        if g.isPointwise {
            BLAS.gemm(m: g.batch * pixels, n: k, k: f, a: outputGradient, b: weights, transposeB: true,
                      c: inputGradient)
            return
        }
        let chunk = chunkSize(g, scratch)
        let col = scratch.baseAddress!                                   // d col (chunk*OH*OW, KH*KW*Cin)
        for first in stride(from: 0, to: g.batch, by: chunk) {
            let images = first..<min(first + chunk, g.batch)
            BLAS.gemm(m: images.count * pixels, n: k, k: f, a: outputGradient + first * pixels * f,
                      b: weights, transposeB: true, c: col)
            Im2col.col2im(g, columns: col, images: images, inputGradient: inputGradient)
        }
    }
}
