/// The colour operations of `Augmentation`, in place on one `(H, W, C)` image of floats in [0, 1],
/// as `tf.image` defines them (checked against TensorFlow's outputs in `AugmentationFixtureTests`).
public enum ColourAugmentation {
    /// Brightness, contrast, saturation (when drawn), then a clip to [0, 1]: the codelab's images
    /// stay in [0, 1], and a brightness or contrast change may leave it.
    public static func apply(_ draw: Augmentation.Draw, to image: UnsafeMutablePointer<Float>, shape: ImageShape) {
        guard draw.changesColour else { return }
        let count = shape.elementCount
        if draw.brightness != 0 {
            for i in 0..<count { image[i] += draw.brightness }
        }
        if draw.contrast != 1 { adjustContrast(image, shape: shape, factor: draw.contrast) }
        if draw.saturation != 1, shape.channels == 3 {
            adjustSaturation(image, pixels: shape.height * shape.width, factor: draw.saturation)
        }
        for i in 0..<count { image[i] = min(1, max(0, image[i])) }
    }

    /// `tf.image.adjust_contrast`: per channel, `(x - mean) * factor + mean`, the mean taken over
    /// the image's pixels (accumulated in Double).
    public static func adjustContrast(_ image: UnsafeMutablePointer<Float>, shape: ImageShape, factor: Float) {
        let pixels = shape.height * shape.width, c = shape.channels
        guard pixels > 0 else { return }
        for k in 0..<c {
            var sum = 0.0
            for p in 0..<pixels { sum += Double(image[p * c + k]) }
            let mean = Float(sum / Double(pixels))
            for p in 0..<pixels { image[p * c + k] = (image[p * c + k] - mean) * factor + mean }
        }
    }

    /// `tf.image.adjust_saturation` on `pixels` RGB triples: in HSV, `S = min(S * factor, 1)`
    /// with hue and value kept. Written without the HSV round trip: with hue and value fixed,
    /// every channel keeps its place between the pixel's max `v` and its min, and its distance
    /// below `v` scales by `S' / S`, so `x' = v - (v - x) * S' / S`. Grey pixels (S = 0) and
    /// black ones (v = 0) do not change.
    public static func adjustSaturation(_ image: UnsafeMutablePointer<Float>, pixels: Int, factor: Float) {
        for p in 0..<pixels {
            let px = image + p * 3
            let r = px[0], g = px[1], b = px[2]
            let v = max(r, max(g, b))
            let range = v - min(r, min(g, b))
            guard v > 0, range > 0 else { continue }
            let s = range / v
            let scale = min(s * factor, 1) / s
            px[0] = v - (v - r) * scale
            px[1] = v - (v - g) * scale
            px[2] = v - (v - b) * scale
        }
    }
}
