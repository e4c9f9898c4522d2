/// Strict UTF-8 decoding of one scalar, so that the lexer can report the exact offset of a bad
/// byte instead of silently replacing it (overlong forms, surrogates and values past U+10FFFF are
/// rejected, as the Unicode standard requires).
enum UTF8Scalar {
    /// The scalar starting at `i` and its length in bytes, or `nil` when the bytes at `i` are not
    /// well-formed UTF-8.
    static func decode(_ bytes: [UInt8], at i: Int) -> (scalar: Unicode.Scalar, length: Int)? {
        let b0 = bytes[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let length: Int
        let lowerBound: UInt32
        var value: UInt32
        switch b0 {
        case 0xC2...0xDF: length = 2; lowerBound = 0x80; value = UInt32(b0 & 0x1F)
        case 0xE0...0xEF: length = 3; lowerBound = 0x800; value = UInt32(b0 & 0x0F)
        case 0xF0...0xF4: length = 4; lowerBound = 0x10000; value = UInt32(b0 & 0x07)
        default: return nil
        }
        guard i + length <= bytes.count else { return nil }
        for k in 1..<length {
            let b = bytes[i + k]
            guard b & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(b & 0x3F)
        }
        guard value >= lowerBound, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
