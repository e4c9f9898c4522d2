import ConvnetKernels
import Foundation

/// The element type the reference interpreter computes in: `Float` to match the backends,
/// `Double` to check gradients against finite differences without rounding noise. A
/// `ReferenceScalar` (which gives exp, log and tanh), so the interpreter runs the naive kernels
/// of `ConvnetKernels/Reference`; `pow` is the one function only the IR's `binary(.pow)` needs.
public protocol IRScalar: ReferenceScalar, Sendable {
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Float: IRScalar {
    public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

extension Double: IRScalar {
    public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
