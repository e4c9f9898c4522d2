import ConvnetKernels

/// The interpreter's kernels: one function per op on `Tensor`s, shapes written beside the
/// buffers. Every op with a kernel runs the naive twin in `ConvnetKernels/Reference` (the one
/// reference implementation of that op, which the fast kernels are tested against); only the
/// IR's own pointwise ops and reductions (`unary`, `binary`, `reduceSum`) are written here.
/// Each function takes its operands and returns a freshly allocated result.
public enum ReferenceKernels {
    /// A fresh tensor of `shape`, written by `body` through a pointer to its storage.
    static func make<S: IRScalar>(_ shape: [Int], _ body: (UnsafeMutablePointer<S>) -> Void) -> Tensor<S> {
        var out = [S](repeating: 0, count: shape.reduce(1, *))
        out.withUnsafeMutableBufferPointer { p in if let base = p.baseAddress { body(base) } }
        return Tensor(shape: shape, scalars: out)
    }

    /// `body` on a pointer to the tensor's scalars (an empty tensor is read as one zero, never
    /// dereferenced by a kernel that computes no element).
    static func read<S: IRScalar, R>(_ t: Tensor<S>, _ body: (UnsafePointer<S>) -> R) -> R {
        let storage = t.scalars.isEmpty ? [0] : t.scalars
        return storage.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// Class labels stored as exact small integers, as the kernels take them.
    static func labels<S: IRScalar>(_ t: Tensor<S>) -> [Int32] { t.scalars.map { Int32($0) } }
}
