/// The dropout mask as a pure function of (seed, salt, element index), so that every backend
/// (interpreter, CPU executor, TPU emulator, emitted Swift) draws the same mask without sharing
/// a random-number stream, and the backward op recomputes it instead of storing it.
///
/// An element is kept when a 32-bit hash is at or above `threshold(rate:)`; kept elements are
/// scaled by `1 / (1 - rate)` (Keras' inverted dropout).
public enum DropoutMask {
    /// MurmurHash3's 32-bit finaliser: a bijection with full avalanche.
    @inlinable
    public static func mix(_ x: UInt32) -> UInt32 {
        var h = x
        h ^= h >> 16
        h &*= 0x85EB_CA6B
        h ^= h >> 13
        h &*= 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    /// The hash of one element: `index` is the flat row-major index in the (batch-included) tensor.
    @inlinable
    public static func hash(seed: UInt32, salt: UInt32, index: UInt32) -> UInt32 {
        hash(key: key(seed: seed, salt: salt), index: index)
    }

    /// The per-(seed, salt) half of `hash`, for loops that hoist it out of the element loop.
    @inlinable
    public static func key(seed: UInt32, salt: UInt32) -> UInt32 { mix(seed ^ mix(salt &+ 0x9E37_79B9)) }

    /// The per-element half of `hash`, given `key(seed:salt:)`.
    @inlinable
    public static func hash(key: UInt32, index: UInt32) -> UInt32 { mix((index &* 0x9E37_79B1) ^ key) }

    /// Hashes below this are dropped: `rate * 2^32`, clamped.
    @inlinable
    public static func threshold(rate: Double) -> UInt32 {
        let t = (rate * 4_294_967_296.0).rounded()
        return t <= 0 ? 0 : t >= 4_294_967_295 ? UInt32.max : UInt32(t)
    }

    /// Whether element `index` survives.
    @inlinable
    public static func keeps(seed: Int, salt: Int, index: Int, rate: Double) -> Bool {
        hash(seed: UInt32(truncatingIfNeeded: seed), salt: UInt32(truncatingIfNeeded: salt),
             index: UInt32(truncatingIfNeeded: index)) >= threshold(rate: rate)
    }
}
