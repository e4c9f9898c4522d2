import CJPEG

/// Writes baseline JPEG through TurboJPEG (4:4:4 for colour, so tests can compare pixels tightly).
public enum JPEGEncoder {
    /// Encodes `pixels` `(height, width, channels)`, channels 1 (gray), 3 (RGB) or 4 (CMYK, written
    /// as a YCCK file), at `quality` 1...100. Returns nil if TurboJPEG fails.
    public static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int, quality: Int = 95) -> [UInt8]? {
        precondition(pixels.count == width * height * channels, "pixels must hold height*width*channels bytes")
        guard [1, 3, 4].contains(channels), let handle = tjInitCompress() else { return nil }
        defer { tjDestroy(handle) }
        let format = channels == 1 ? TJPF_GRAY : channels == 3 ? TJPF_RGB : TJPF_CMYK
        let subsamp = channels == 1 ? TJSAMP_GRAY : TJSAMP_444
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = pixels.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(width), 0, Int32(height), Int32(format.rawValue),
                        &buffer, &size, Int32(subsamp.rawValue), Int32(quality), Int32(TJFLAG_ACCURATEDCT))
        }
        defer { if let b = buffer { tjFree(b) } }
        guard rc == 0, let b = buffer else { return nil }
        return Array(UnsafeBufferPointer(start: b, count: Int(size)))
    }
}
