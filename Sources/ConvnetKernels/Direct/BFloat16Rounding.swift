/// Rounding float32 to bfloat16 precision (round to nearest, ties to even), kept as float32
/// with the low 16 bits zero: the one rounding rule of the project. The TPU target's direct
/// convolutions use it here (`DirectConv.Numerics.bfloat16`), and the emulator's `BFloat16`
/// and buffer roundings call it, so the MXU and the kernels cannot round differently.
public enum BFloat16Rounding {
    /// Ties to even: add 0x7FFF plus the lowest kept bit, then truncate. A carry out of the
    /// mantissa bumps the exponent, which is exactly right, including the overflow to infinity.
    /// Wrong for NaNs (the add could carry a payload into an infinity): callers that may see
    /// one use `roundedBits`.
    @inlinable @inline(__always)
    public static func roundedBitsIgnoringNaN(_ bits: UInt32) -> UInt32 {
        (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) & 0xFFFF_0000
    }

    /// The float32 bits of `bits` rounded to bfloat16 (low 16 bits zero). Infinities stay
    /// infinite, finite values beyond the largest bfloat16 (plus half an ulp) become infinite,
    /// and a NaN stays a NaN, made quiet so a signalling NaN whose payload sits in the dropped
    /// bits stays a NaN (sign and top 7 payload bits kept).
    @inlinable @inline(__always)
    public static func roundedBits(_ bits: UInt32) -> UInt32 {
        if bits & 0x7FFF_FFFF > 0x7F80_0000 { return (bits | 0x0040_0000) & 0xFFFF_0000 }
        return roundedBitsIgnoringNaN(bits)
    }

    /// `value` rounded to bfloat16 precision, as a float32.
    @inlinable @inline(__always)
    public static func round(_ value: Float) -> Float {
        Float(bitPattern: roundedBits(value.bitPattern))
    }

    /// `roundedBits` on 16 lanes, branch-free.
    ///
    /// The NaN test is done with integer arithmetic rather than a SIMD comparison (which Swift
    /// lowers lane by lane): `0x7F800000 - |bits|` is negative exactly for NaNs, and an
    /// arithmetic shift by 31 turns its sign into an all-ones lane mask.
    @inlinable @inline(__always)
    public static func roundedBits16(_ bits: SIMD16<UInt32>) -> SIMD16<UInt32> {
        let lsb = (bits &>> 16) & SIMD16(repeating: 1)
        let high = SIMD16<UInt32>(repeating: 0xFFFF_0000)
        let rounded = (bits &+ SIMD16(repeating: 0x7FFF) &+ lsb) & high
        let quietNaN = (bits | SIMD16(repeating: 0x0040_0000)) & high
        let magnitude = bits & SIMD16(repeating: 0x7FFF_FFFF)
        let nanMask = SIMD16<UInt32>(truncatingIfNeeded:
            SIMD16<Int32>(truncatingIfNeeded: SIMD16<UInt32>(repeating: 0x7F80_0000) &- magnitude) &>> 31)
        return (rounded & ~nanMask) | (quietNaN & nanMask)
    }

    /// The smallest nonzero and the largest magnitude of the values seen (NaN in `largest`
    /// once a NaN was seen).
    struct MagnitudeRange {
        var smallest = Float.infinity, largest: Float = 0

        @inline(__always) mutating func see(_ value: Float) {
            let m = abs(value)
            if m != 0 && m < smallest { smallest = m }
            if !(m <= largest) && !largest.isNaN { largest = m }   // a NaN, once seen, stays
        }

        /// Adds another range's values.
        mutating func merge(_ other: (smallest: Float, largest: Float)) {
            smallest = min(smallest, other.smallest)
            if !largest.isNaN && !(other.largest <= largest) { largest = other.largest }
        }

        var pair: (smallest: Float, largest: Float) { (smallest, largest) }
    }

    /// dst = round(src), element by element; the magnitude range of the rounded values.
    ///
    /// Written as one branch-free integer loop that LLVM vectorises (the TPU target rounds every
    /// operand of every convolution, some 100 million values a step for the flowers model; the
    /// loop with `MagnitudeRange.see` took a third of an emulated step). For finite values and
    /// infinities the integer order of the bits without the sign is the order of magnitudes,
    /// so the range is two integer reductions. A NaN anywhere redoes the buffer with the
    /// scalar rule, which quiets it (`round(_:)`).
    static func round(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int)
        -> (smallest: Float, largest: Float) {
        var reduction = Reduction()
        reduction.round(src, into: dst, count: count)
        return reduction.finish { roundScalar(src, into: dst, count: count) }
    }

    /// `pixels` pixels of `channels` floats, `sourceStride` apart in `src`, rounded into `dst`
    /// with pixels `stride` floats apart and the lanes past `channels` zero; the magnitude range.
    static func round(pixels: Int, channels: Int, _ src: UnsafePointer<Float>, sourceStride: Int,
                      into dst: UnsafeMutablePointer<Float>, stride: Int) -> (smallest: Float, largest: Float) {
        var reduction = Reduction()
        for p in 0..<pixels {
            reduction.round(src + p * sourceStride, into: dst + p * stride, count: channels)
            (dst + p * stride + channels).update(repeating: 0, count: stride - channels)
        }
        return reduction.finish {
            var range = MagnitudeRange()
            for p in 0..<pixels {
                range.merge(roundScalar(src + p * sourceStride, into: dst + p * stride, count: channels))
            }
            return range.pair
        }
    }

    /// The integer reductions behind the buffer roundings.
    private struct Reduction {
        /// Largest |input| bits (a NaN shows as more than infinity's), largest |rounded| bits,
        /// and the smallest nonzero |rounded| bits minus one (zero wraps to the top).
        var inputs: UInt32 = 0, largest: UInt32 = 0, smallestMinusOne: UInt32 = .max

        @inline(__always)
        mutating func round(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int) {
            var inputs = self.inputs, largest = self.largest, smallest = smallestMinusOne
            for i in 0..<count {
                let b = src[i].bitPattern
                let r = BFloat16Rounding.roundedBitsIgnoringNaN(b)  // NaNs: `finish` redoes the buffer
                dst[i] = Float(bitPattern: r)
                let a = b & 0x7FFF_FFFF, m = r & 0x7FFF_FFFF, z = m &- 1
                inputs = a > inputs ? a : inputs
                largest = m > largest ? m : largest
                smallest = z < smallest ? z : smallest
            }
            self.inputs = inputs
            self.largest = largest
            smallestMinusOne = smallest
        }

        /// The range, or `exact()` (the scalar rule over everything again) when a NaN was seen.
        func finish(_ exact: () -> (smallest: Float, largest: Float)) -> (smallest: Float, largest: Float) {
            if inputs > 0x7F80_0000 { return exact() }
            return (smallestMinusOne == .max ? .infinity : Float(bitPattern: smallestMinusOne &+ 1), Float(bitPattern: largest))
        }
    }

    /// `round(_:into:count:)` one value at a time with `round(_:)` and `MagnitudeRange`.
    static func roundScalar(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int)
        -> (smallest: Float, largest: Float) {
        var range = MagnitudeRange()
        for i in 0..<count {
            let r = round(src[i])
            dst[i] = r
            range.see(r)
        }
        return range.pair
    }

    /// Whether every product of an operand in `a` and one in `b` (bfloat16 values with these
    /// magnitude ranges) is exact in float32: at most 16 significant bits, so it is exact unless
    /// it leaves the normal range. Then a fused multiply-add rounds exactly like the MXU's
    /// multiply followed by an add.
    static func productsAreExact(_ a: (smallest: Float, largest: Float), _ b: (smallest: Float, largest: Float)) -> Bool {
        let top = Double(a.largest) * Double(b.largest)
        guard top < Double(Float.greatestFiniteMagnitude) else { return false }      // also NaN
        if a.largest == 0 || b.largest == 0 { return true }
        return Double(a.smallest) * Double(b.smallest) >= Double(Float.leastNormalMagnitude)
    }
}
