/// The range of float32 exponents in a buffer of bfloat16 values, which decides whether the MXU
/// kernel may use fused multiply-adds and still match the simulated array bit for bit.
///
/// **The proof.** The array does `sum + round(a * w)` (a float32 multiply, then an add); a fused
/// multiply-add does `round(sum + a * w)`. They agree whenever `a * w` is exactly representable
/// in float32, since then `round(a * w) = a * w`. For bfloat16 operands with biased exponents
/// `Ea` and `Ew` (the float32 exponent field, 1...254 for normal numbers):
/// - each significand has 8 bits, so `a * w` has at most 16 significant bits, and its lowest
///   possible bit is `2^(Ea - 134) * 2^(Ew - 134)`; float32 represents every such multiple down
///   to `2^-149`, so the product is exact if `Ea + Ew - 268 >= -149`, i.e. **`Ea + Ew >= 119`**;
/// - `|a * w| < 2^(Ea - 126) * 2^(Ew - 126)`, which stays below `2^128` (no overflow, and any
///   16-bit value below `2^128` is a float32) if **`Ea + Ew <= 380`**.
///
/// Zeros give an exact zero product and are ignored. Subnormals have exponent field 0, which
/// only makes the lower bound more conservative. Infinities and NaNs would give the same result
/// either way, but the range cannot tell them from huge finite values, so any of them makes the
/// check fail (the kernel then takes the separate path, which is exact by construction).
/// So if `minA + minB >= 119` and `maxA + maxB <= 380` over the values that take part, every
/// product is exact and the fused kernel gives the array's bits. Typical training data
/// (magnitudes between 1e-10 and 1e4, exponent fields 94...140) is far inside both bounds.
struct ExponentRange: Equatable {
    /// Smallest exponent field over the nonzero values (255 if there are none).
    var minField: UInt32
    /// Largest exponent field over all values (255 if any is infinite or NaN, 0 if none).
    var maxField: UInt32

    /// A range with the given fields.
    init(minField: UInt32, maxField: UInt32) {
        self.minField = minField
        self.maxField = maxField
    }

    /// The range of an empty buffer: neutral for `merge`.
    static let empty = ExponentRange(minField: 255, maxField: 0)

    /// Widens this range to cover `other`.
    mutating func merge(_ other: ExponentRange) {
        minField = Swift.min(minField, other.minField)
        maxField = Swift.max(maxField, other.maxField)
    }

    /// True when every product of a value in a buffer with range `self` and a value in a buffer
    /// with range `other` is exact in float32 (see the proof above).
    func productsAreExact(with other: ExponentRange) -> Bool {
        maxField < 255 && other.maxField < 255
            && minField + other.minField >= 119 && maxField + other.maxField <= 380
    }

    /// The range from `low`, the smallest of `(magnitude - 1) >> 1` (which sends zero to
    /// `0x7FFFFFFF`, the top, so a minimum skips it), and `high`, the largest magnitude, over
    /// bfloat16 values. Magnitudes of floats order like their bit patterns; halving keeps every
    /// value below 2^31 so that the comparison-free `lanewiseMin` works. Nothing is lost: a
    /// bfloat16's low 16 bits are zero, so its magnitude is even and equals `2 * low + 2`.
    init(halvedMinMagnitudeMinusOne low: UInt32, maxMagnitude high: UInt32) {
        minField = low == 0x7FFF_FFFF ? 255 : (low &<< 1 &+ 2) >> 23
        maxField = high >> 23
    }

    /// All-ones lanes where the top bit of `x` is set, zero elsewhere.
    @inline(__always)
    static func signMask(_ x: SIMD16<UInt32>) -> SIMD16<UInt32> {
        SIMD16<UInt32>(truncatingIfNeeded: SIMD16<Int32>(truncatingIfNeeded: x) &>> 31)
    }

    /// Lane-wise minimum of values below 2^31, without comparisons (Swift lowers SIMD
    /// comparisons lane by lane; LLVM turns this pattern into one `vpminud`).
    @inline(__always)
    static func lanewiseMin(_ a: SIMD16<UInt32>, _ b: SIMD16<UInt32>) -> SIMD16<UInt32> {
        let aIsLess = signMask(a &- b)
        return (a & aIsLess) | (b & ~aIsLess)
    }

    /// Lane-wise maximum of values below 2^31, without comparisons.
    @inline(__always)
    static func lanewiseMax(_ a: SIMD16<UInt32>, _ b: SIMD16<UInt32>) -> SIMD16<UInt32> {
        let aIsLess = signMask(a &- b)
        return (b & aIsLess) | (a & ~aIsLess)
    }
}

extension BFloat16 {
    /// `round(_:into:count:)` that also returns the exponent range of the rounded values, in the
    /// same pass over memory (a few extra vector operations per 16 values).
    static func roundAndMeasure(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
                                count: Int) -> ExponentRange {
        let vectors = count / 16
        let src = UnsafeRawPointer(source)
        let dst = UnsafeMutableRawPointer(destination)
        let magnitudeMask = SIMD16<UInt32>(repeating: 0x7FFF_FFFF), one = SIMD16<UInt32>(repeating: 1)
        var lowest = SIMD16<UInt32>(repeating: 0x7FFF_FFFF), highest = SIMD16<UInt32>(repeating: 0)
        for v in 0..<vectors {
            let rounded = roundedBits16(src.loadUnaligned(fromByteOffset: v &* 64, as: SIMD16<UInt32>.self))
            dst.storeBytes(of: rounded, toByteOffset: v &* 64, as: SIMD16<UInt32>.self)
            let magnitude = rounded & magnitudeMask
            lowest = ExponentRange.lanewiseMin(lowest, (magnitude &- one) &>> 1)
            highest = ExponentRange.lanewiseMax(highest, magnitude)
        }
        var low: UInt32 = 0x7FFF_FFFF, high: UInt32 = 0
        for lane in 0..<16 {
            low = Swift.min(low, lowest[lane])
            high = Swift.max(high, highest[lane])
        }
        for i in (vectors * 16)..<count {
            let r = round(source[i])
            destination[i] = r
            let magnitude = r.bitPattern & 0x7FFF_FFFF
            low = Swift.min(low, (magnitude &- 1) >> 1)
            high = Swift.max(high, magnitude)
        }
        return ExponentRange(halvedMinMagnitudeMinusOne: low, maxMagnitude: high)
    }
}
