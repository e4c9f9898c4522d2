import CJPEG

/// Decodes JPEG through TurboJPEG, whose calls return error codes (classic libjpeg longjmps, which
/// Swift cannot survive). Warnings such as "premature end of data" are treated as failures, so a
/// truncated file is skipped instead of being trained on half grey. One instance per thread: a
/// TurboJPEG handle is not thread-safe.
///
/// After any failure the handle is replaced: libjpeg-turbo 2.1 leaves a handle that failed
/// mid-stream in a state where the next, valid file fails too ("Unsupported marker type").
public final class JPEGDecoder {
    private var handle: tjhandle

    public init() { handle = JPEGDecoder.newHandle() }

    deinit { tjDestroy(handle) }

    private static func newHandle() -> tjhandle {
        guard let h = tjInitDecompress() else { fatalError("tjInitDecompress failed (out of memory)") }
        return h
    }

    /// Decodes, and on failure swaps in a fresh handle before rethrowing.
    public func decode(_ bytes: UnsafeRawBufferPointer, minimumShortSide: Int? = nil) throws(ImageDecodeError) -> RGBImage {
        do {
            return try decodeOnce(bytes, minimumShortSide: minimumShortSide)
        } catch {
            tjDestroy(handle)
            handle = JPEGDecoder.newHandle()
            throw error
        }
    }

    /// Decodes to RGB. When `minimumShortSide` is given, lets TurboJPEG scale down in the DCT
    /// domain (by 1/2, 1/4 or 1/8) as long as the shorter side stays at least that long: a large
    /// photo shrinks far faster this way and the later resize still sees enough pixels.
    private func decodeOnce(_ bytes: UnsafeRawBufferPointer, minimumShortSide: Int?) throws(ImageDecodeError) -> RGBImage {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            throw ImageDecodeError(reason: "empty file")
        }
        var width: Int32 = 0, height: Int32 = 0, subsamp: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, base, UInt(bytes.count), &width, &height, &subsamp, &colorspace) != 0 {
            throw ImageDecodeError(reason: "corrupt JPEG header (\(errorText()))")
        }
        guard width > 0, height > 0, Int(width) * Int(height) <= 1 << 28 else {
            throw ImageDecodeError(reason: "JPEG size \(width)x\(height) is out of range")
        }
        var (w, h) = (Int(width), Int(height))
        if let minSide = minimumShortSide {
            (w, h) = JPEGDecoder.scaledSize(width: w, height: h, minimumShortSide: minSide)
        }
        // TurboJPEG only decodes CMYK/YCCK files (Photoshop exports) to CMYK pixels.
        let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let channels = cmyk ? 4 : 3
        var pixels = [UInt8](repeating: 0, count: w * h * channels)  // (h, w, 3 or 4)
        let flags = TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING
        let format = cmyk ? TJPF_CMYK : TJPF_RGB
        let rc = pixels.withUnsafeMutableBufferPointer { out in
            tjDecompress2(handle, base, UInt(bytes.count), out.baseAddress, Int32(w), 0, Int32(h),
                          Int32(format.rawValue), Int32(flags))
        }
        if rc != 0 {
            throw ImageDecodeError(reason: "truncated or corrupt JPEG (\(errorText()))")
        }
        return RGBImage(width: w, height: h, pixels: cmyk ? JPEGDecoder.cmykToRGB(pixels) : pixels)
    }

    /// CMYK as TurboJPEG delivers it (Adobe's inverted convention, 255 = no ink) to RGB:
    /// `R = C * K / 255` and likewise for G (M) and B (Y), as TurboJPEG's own `tjLoadImage` does.
    static func cmykToRGB(_ cmyk: [UInt8]) -> [UInt8] {
        let n = cmyk.count / 4
        var rgb = [UInt8](repeating: 0, count: n * 3)  // (h, w, 3)
        for p in 0..<n {
            let k = Int(cmyk[4 * p + 3])
            for c in 0..<3 { rgb[3 * p + c] = UInt8((Int(cmyk[4 * p + c]) * k + 127) / 255) }
        }
        return rgb
    }

    /// The smallest power-of-two reduction (1, 1/2, 1/4, 1/8) that keeps the shorter side at least
    /// `minimumShortSide`, with TurboJPEG's rounding (ceil).
    static func scaledSize(width: Int, height: Int, minimumShortSide: Int) -> (Int, Int) {
        var best = (width, height)
        for denom in [2, 4, 8] {
            let w = (width + denom - 1) / denom, h = (height + denom - 1) / denom
            if min(w, h) >= minimumShortSide { best = (w, h) } else { break }
        }
        return best
    }

    private func errorText() -> String {
        guard let s = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: s)
    }
}
