import ConvnetKernels

// bfloat16: the MXU's input format (references.md §4).
//
// A bfloat16 is the top 16 bits of an IEEE-754 float32: sign, the same 8 exponent bits, and 7 of
// the 23 mantissa bits. Converting to float32 is a shift; converting from float32 drops 16 bits,
// rounding to nearest with ties to even, as the TPU and XLA do.

/// A 16-bit brain floating-point value, stored as its bit pattern.
public struct BFloat16: Hashable, Sendable, CustomStringConvertible {
    /// The raw bits: the upper half of the equivalent float32's bits.
    public var bitPattern: UInt16

    /// The value whose bits are `bitPattern`.
    public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// `value` rounded to the nearest bfloat16, ties to even. Infinities stay infinite, finite
    /// values beyond the largest bfloat16 (plus half an ulp) become infinite, and a NaN stays a
    /// NaN (made quiet, keeping the sign and the top 7 payload bits).
    public init(_ value: Float) {
        bitPattern = BFloat16.roundedBits(value.bitPattern)
    }

    /// The exact float32 with the same value.
    public var float: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    public var description: String { float.description }

    /// The bfloat16 bits nearest to the float32 with bits `bits` (`BFloat16Rounding`, the
    /// project's one rounding rule).
    @inline(__always)
    public static func roundedBits(_ bits: UInt32) -> UInt16 {
        UInt16(truncatingIfNeeded: BFloat16Rounding.roundedBits(bits) >> 16)
    }

    /// `value` rounded to bfloat16 precision and widened back to float32 in one step.
    @inline(__always)
    public static func round(_ value: Float) -> Float {
        BFloat16Rounding.round(value)
    }
}
