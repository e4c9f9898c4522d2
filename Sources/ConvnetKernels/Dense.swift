/// A dense layer is a GEMM plus epilogues; these helpers only fix the operand order.
/// x (B, in), W (in, out) as in Keras, bias (out), y (B, out).
public enum Dense {
    /// y (B, out) = activation(x W + bias).
    public static func forward(batch: Int, inFeatures: Int, outFeatures: Int,
                               input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, activation: EpilogueActivation = .linear,
                               output: UnsafeMutablePointer<Float>) {
        BLAS.gemm(m: batch, n: outFeatures, k: inFeatures, a: input, b: weights, c: output)
        Epilogue.biasActivation(output, rows: batch, columns: outFeatures, bias: bias, activation: activation)
    }

    /// Given dY (B, out) (already through the activation backward): dW (in, out) = x^T dY,
    /// db (out) = column sums of dY, and dX (B, in) = dY W^T when `inputGradient` is non-nil
    /// (the first layer does not need it). Gradients are added when `accumulate`.
    public static func backward(batch: Int, inFeatures: Int, outFeatures: Int,
                                input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                                outputGradient: UnsafePointer<Float>,
                                weightGradient: UnsafeMutablePointer<Float>,
                                biasGradient: UnsafeMutablePointer<Float>?,
                                inputGradient: UnsafeMutablePointer<Float>?,
                                accumulate: Bool = false) {
        BLAS.gemm(m: inFeatures, n: outFeatures, k: batch, a: input, transposeA: true,
                  b: outputGradient, c: weightGradient, accumulate: accumulate)
        if let biasGradient {
            Epilogue.biasGradient(outputGradient, rows: batch, columns: outFeatures,
                                  into: biasGradient, accumulate: accumulate)
        }
        if let inputGradient {
            BLAS.gemm(m: batch, n: inFeatures, k: outFeatures, a: outputGradient,
                      b: weights, transposeB: true, c: inputGradient)
        }
    }
}
