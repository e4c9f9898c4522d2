/// RGB -> one luminance channel for models whose input has C = 1. The weights are ITU-R BT.601's,
/// the ones `tf.image.rgb_to_grayscale` uses, so a grayscale model sees what Keras would give it.
public enum Luminance {
    public static let red: Float = 0.2989, green: Float = 0.5870, blue: Float = 0.1140

    /// Luminance of one pixel, rounded to the nearest byte.
    @inline(__always) public static func of(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let y = red * Float(r) + green * Float(g) + blue * Float(b)
        return UInt8(min(255, max(0, y.rounded())))
    }

    /// Writes `image` into `out` with `channels` bytes a pixel: 3 copies RGB, 1 takes luminance.
    public static func store(_ image: RGBImage, channels: Int, into out: UnsafeMutableBufferPointer<UInt8>) {
        let n = image.width * image.height
        precondition(out.count >= n * channels, "destination too small")
        image.pixels.withUnsafeBufferPointer { src in
            if channels == 3 {
                for i in 0..<(n * 3) { out[i] = src[i] }
            } else {
                for p in 0..<n { out[p] = of(src[3 * p], src[3 * p + 1], src[3 * p + 2]) }
            }
        }
    }
}
