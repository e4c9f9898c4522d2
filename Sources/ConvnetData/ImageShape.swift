/// The size of one model input image, `(H, W, C)`. Kept here (rather than reusing Sema's
/// `TensorShape`) because ConvnetData sits below Sema in the dependency graph.
public struct ImageShape: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int
    /// 1 (luminance) or 3 (RGB); anything else is rejected by `validate()`.
    public var channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// Bytes (UInt8) or floats of one image: H * W * C.
    public var elementCount: Int { height * width * channels }

    /// `192x192x3`
    public var description: String { "\(height)x\(width)x\(channels)" }

    /// Throws when images of this shape cannot be produced (C not 1 or 3, or a size below 1).
    public func validate() throws(DataError) {
        guard channels == 1 || channels == 3 else { throw .unsupportedChannels(channels) }
        guard height >= 1, width >= 1, height <= 16384, width <= 16384 else {
            throw .invalidImageSize(height: height, width: width)
        }
    }
}
