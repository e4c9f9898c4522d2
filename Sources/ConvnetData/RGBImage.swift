/// A decoded image at its own size, interleaved 8-bit RGB. Every decoder produces this, whatever
/// the file held (grayscale is replicated, alpha is dropped), so later stages see one layout.
public struct RGBImage: Hashable, Sendable {
    public var width: Int
    public var height: Int
    /// (height, width, 3), row-major.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "pixels must hold height*width*3 bytes")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The (r, g, b) at row y, column x.
    public subscript(y: Int, x: Int) -> (UInt8, UInt8, UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
