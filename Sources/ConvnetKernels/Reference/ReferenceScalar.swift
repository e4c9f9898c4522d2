import Foundation

/// The number types the naive reference kernels run in: Float, to be a drop-in fallback for the
/// fast kernels, and Double, to be the oracle of the finite-difference gradient checks.
///
/// The references carry `@_specialize(where T == Float)` and `(where T == Double)`: the generic
/// entry point checks the type at run time and jumps to the specialised body, so callers in
/// other modules (the interpreter) get specialised code. Not `exported: true`: with it, a
/// specialised reference calling another specialised reference fails to link in release builds
/// (Swift 6.3.1: undefined `BatchNormReference.inferenceForward` specialisation).
public protocol ReferenceScalar: BinaryFloatingPoint {
    static func exponential(_ x: Self) -> Self
    static func logarithm(_ x: Self) -> Self
    static func hyperbolicTangent(_ x: Self) -> Self
}

extension Float: ReferenceScalar {
    public static func exponential(_ x: Float) -> Float { Foundation.exp(x) }
    public static func logarithm(_ x: Float) -> Float { Foundation.log(x) }
    public static func hyperbolicTangent(_ x: Float) -> Float { Foundation.tanh(x) }
}

extension Double: ReferenceScalar {
    public static func exponential(_ x: Double) -> Double { Foundation.exp(x) }
    public static func logarithm(_ x: Double) -> Double { Foundation.log(x) }
    public static func hyperbolicTangent(_ x: Double) -> Double { Foundation.tanh(x) }
}
