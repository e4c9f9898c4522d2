import ConvnetKernels

// Bulk bfloat16 rounding of float32 buffers, the step that feeds every MXU pass.

extension BFloat16 {
    /// Rounds `count` floats from `source` to bfloat16 precision and writes them, widened back to
    /// float32, to `destination` (which may equal `source`). Same result as `BFloat16.round` on
    /// each element; 16 lanes at a time with SIMD16 so that it keeps up with memory.
    public static func round(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
                             count: Int) {
        let vectors = count / 16
        let src = UnsafeRawPointer(source)
        let dst = UnsafeMutableRawPointer(destination)
        for v in 0..<vectors {
            let bits = src.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<UInt32>.self)
            dst.storeBytes(of: roundedBits16(bits), toByteOffset: v * 64, as: SIMD16<UInt32>.self)
        }
        for i in (vectors * 16)..<count {
            destination[i] = round(source[i])
        }
    }

    /// Rounds a buffer in place to bfloat16 precision (kept as float32).
    public static func roundInPlace(_ buffer: UnsafeMutableBufferPointer<Float>) {
        guard let base = buffer.baseAddress else { return }
        round(UnsafePointer(base), into: base, count: buffer.count)
    }

    /// An array rounded to bfloat16 precision (kept as float32).
    public static func rounded(_ values: [Float]) -> [Float] {
        var out = values
        out.withUnsafeMutableBufferPointer { roundInPlace($0) }
        return out
    }

    /// 16 float32 bit patterns rounded to bfloat16 and widened back (low 16 bits zero).
    @inline(__always)
    static func roundedBits16(_ bits: SIMD16<UInt32>) -> SIMD16<UInt32> {
        BFloat16Rounding.roundedBits16(bits)
    }
}
