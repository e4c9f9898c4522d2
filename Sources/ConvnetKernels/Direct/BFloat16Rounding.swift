/// Rounding float32 to bfloat16 precision (round to nearest, ties to even), kept as float32
/// with the low 16 bits zero: the operands of the TPU target's direct convolutions
/// (`DirectConv.Numerics.bfloat16`). The same rule as `TPUEmulator.BFloat16.round`, which a
/// test checks bit for bit; here so the kernels module does not depend on the emulator.
enum BFloat16Rounding {
    @inline(__always)
    static func round(_ value: Float) -> Float {
        let bits = value.bitPattern
        if bits & 0x7FFF_FFFF > 0x7F80_0000 { return Float(bitPattern: (bits | 0x0040_0000) & 0xFFFF_0000) }
        let rounded = bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        return Float(bitPattern: rounded & 0xFFFF_0000)
    }

    /// The smallest nonzero and the largest magnitude of the values seen (NaN in `largest`
    /// once a NaN was seen).
    struct MagnitudeRange {
        var smallest = Float.infinity, largest: Float = 0

        @inline(__always) mutating func see(_ value: Float) {
            let m = abs(value)
            if m != 0 && m < smallest { smallest = m }
            if !(m <= largest) { largest = m }                  // keeps a NaN
        }

        var pair: (smallest: Float, largest: Float) { (smallest, largest) }
    }

    /// dst = round(src), element by element; the magnitude range of the rounded values.
    static func round(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, count: Int)
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
