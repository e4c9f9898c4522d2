import ConvnetIR

/// The (M, K, N) of the matrix product behind an MXU op, read from its operand and result
/// shapes, mapped onto the weight-stationary array as SCALE-Sim does: K (the reduction) on the
/// array's rows, N on its columns, M streamed through.
///
/// The mapping is the optimizer's im2col lowering (`ConvLowering`), so a plan computed here for
/// an unlowered `conv2d` equals the `mnk=` the optimizer records on the matmul that replaces it:
///
/// | op | M | K | N |
/// |---|---|---|---|
/// | `conv2d(x (B,H,W,Cin), w (KH,KW,Cin,F))` | B*OH*OW | KH*KW*Cin | F |
/// | `conv2d_filter_grad(x, dy)` -> (KH,KW,Cin,F) | KH*KW*Cin | B*OH*OW | F |
/// | `conv2d_input_grad(dy (B,OH,OW,F), w)` | B*OH*OW | F | KH*KW*Cin |
/// | `matmul(a, b)` (transposes honoured) | rows of the result | the reduction | columns |
///
/// The input gradient is costed as `dy x W^T` followed by col2im, not as a transposed
/// convolution (M = B*H*W, K = KH*KW*F, N = Cin): both do the same MACs at stride 1, and the
/// former is what our lowering runs; it holds the filters, not the data, in the array.
public enum MatmulDimensions {
    /// `(m, k, n)` of `op` given its operand types and result type, or nil when `op` does not
    /// run on the MXU.
    public static func of(_ op: Op, operands: [TensorType], result: TensorType) -> (m: Int, k: Int, n: Int)? {
        guard case .linear(let linear) = op.family else { return nil }
        switch linear {
        case .conv2d:
            let w = operands[1].shape, y = result.shape  // w (KH,KW,Cin,F), y (B,OH,OW,F)
            return (y[0] * y[1] * y[2], w[0] * w[1] * w[2], w[3])
        case .conv2dFilterGrad:
            let dy = operands[1].shape, dw = result.shape  // dy (B,OH,OW,F), dw (KH,KW,Cin,F)
            return (dw[0] * dw[1] * dw[2], dy[0] * dy[1] * dy[2], dy[3])
        case .conv2dInputGrad:
            let dy = operands[0].shape, w = operands[1].shape  // dy (B,OH,OW,F), w (KH,KW,Cin,F)
            return (dy[0] * dy[1] * dy[2], dy[3], w[0] * w[1] * w[2])
        case .matmul(let transposeA, _):
            let a = operands[0].shape
            return (result.shape[0], transposeA ? a[0] : a[1], result.shape[1])
        case .im2col, .col2im:
            return nil
        }
    }
}
