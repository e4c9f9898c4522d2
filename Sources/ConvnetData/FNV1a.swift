/// FNV-1a, 64-bit: the hash that decides the validation split (references.md §3). Chosen because
/// it is trivial to reproduce in any language, so a Python script gets the very same split.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// Hash of the bytes: xor each byte in, then multiply by the prime (wrapping).
    public static func hash64<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var h = offsetBasis
        for b in bytes {
            h ^= UInt64(b)
            h = h &* prime
        }
        return h
    }

    /// Hash of the string's UTF-8 bytes.
    public static func hash64(_ string: String) -> UInt64 { hash64(string.utf8) }
}
