import CPNG

/// Writes PNG through libpng's simplified API: exact pixels, for test fixtures and for anything
/// the trainer wants to save (sample grids, plots).
public enum PNGEncoder {
    /// Encodes `pixels` `(height, width, channels)` with channels 1 (gray), 2 (gray+alpha),
    /// 3 (RGB) or 4 (RGBA). Returns nil if libpng fails.
    public static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) -> [UInt8]? {
        precondition(pixels.count == width * height * channels, "pixels must hold height*width*channels bytes")
        let format: png_uint_32
        switch channels {
        case 1: format = cpng_format_gray()
        case 2: format = cpng_format_ga()
        case 3: format = cpng_format_rgb()
        case 4: format = cpng_format_rgba()
        default: return nil
        }
        var image = png_image()
        image.version = cpng_image_version()
        image.width = png_uint_32(width)
        image.height = png_uint_32(height)
        image.format = format
        defer { png_image_free(&image) }
        var size: png_alloc_size_t = 0
        let stride = Int32(width * channels)
        let sized = pixels.withUnsafeBytes { src in
            png_image_write_to_memory(&image, nil, &size, 0, src.baseAddress, stride, nil)
        }
        guard sized != 0, size > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(size))
        let ok = pixels.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                png_image_write_to_memory(&image, dst.baseAddress, &size, 0, src.baseAddress, stride, nil)
            }
        }
        guard ok != 0 else { return nil }
        return Array(out.prefix(Int(size)))
    }
}
