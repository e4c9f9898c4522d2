import CPNG

/// Decodes PNG through libpng's simplified API, which catches libpng's own longjmp and reports
/// failure as a 0 return. Any PNG (gray, palette, 16-bit, with alpha) is read as 8-bit RGBA and
/// the alpha dropped, as `tf.io.decode_png(channels=3)` does: the colour under a transparent
/// pixel is kept rather than composited onto an arbitrary background.
public enum PNGDecoder {
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) -> RGBImage {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw ImageDecodeError(reason: "empty file") }
        var image = png_image()
        image.version = cpng_image_version()
        defer { png_image_free(&image) }
        if png_image_begin_read_from_memory(&image, base, bytes.count) == 0 {
            throw ImageDecodeError(reason: "corrupt PNG header (\(message(image)))")
        }
        let (w, h) = (Int(image.width), Int(image.height))
        guard w > 0, h > 0, w * h <= 1 << 28 else {
            throw ImageDecodeError(reason: "PNG size \(w)x\(h) is out of range")
        }
        if image.format & cpng_format_flag_linear() != 0 { return try decode16(&image, width: w, height: h) }
        image.format = cpng_format_rgba()
        var rgba = [UInt8](repeating: 0, count: w * h * 4)  // (h, w, 4)
        let ok = rgba.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, Int32(w * 4), nil)
        }
        if ok == 0 || cpng_image_failed(&image) != 0 {
            throw ImageDecodeError(reason: "truncated or corrupt PNG (\(message(image)))")
        }
        var rgb = [UInt8](repeating: 0, count: w * h * 3)  // (h, w, 3)
        rgba.withUnsafeBufferPointer { src in
            rgb.withUnsafeMutableBufferPointer { dst in
                for p in 0..<(w * h) {
                    dst[3 * p] = src[4 * p]
                    dst[3 * p + 1] = src[4 * p + 1]
                    dst[3 * p + 2] = src[4 * p + 2]
                }
            }
        }
        return RGBImage(width: w, height: h, pixels: rgb)
    }

    /// A 16-bit file. Asked for 8-bit output, the simplified API treats 16-bit samples as linear
    /// light and re-encodes them as sRGB, so a 16-bit twin of an 8-bit image (every sample
    /// v * 257) would decode to other values. Read the samples as they are (16-bit "linear" output
    /// of a file without a gAMA chunk applies no conversion) and scale each to 8 bits with
    /// rounding, (v * 255 + 32767) / 65535: v * 257 gives back v exactly. An alpha channel is
    /// composited onto black by libpng here (its 16-bit output premultiplies).
    private static func decode16(_ image: inout png_image, width w: Int, height h: Int) throws(ImageDecodeError) -> RGBImage {
        image.format = cpng_format_linear_rgb()
        var samples = [UInt16](repeating: 0, count: w * h * 3)  // (h, w, 3)
        let ok = samples.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, Int32(w * 3), nil)
        }
        if ok == 0 || cpng_image_failed(&image) != 0 {
            throw ImageDecodeError(reason: "truncated or corrupt PNG (\(message(image)))")
        }
        let rgb = samples.map { UInt8((UInt32($0) * 255 + 32767) / 65535) }
        return RGBImage(width: w, height: h, pixels: rgb)
    }

    private static func message(_ image: png_image) -> String {
        var m = image.message
        return withUnsafeBytes(of: &m) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return bytes.isEmpty ? "unknown error" : String(decoding: bytes, as: UTF8.self)
        }
    }
}
