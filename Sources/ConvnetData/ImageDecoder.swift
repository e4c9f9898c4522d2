import Foundation

/// File bytes -> model-sized pixels: detect the format by magic bytes, decode, resize + centre-crop,
/// and convert to the model's channel count. Holds one TurboJPEG handle, so use one per thread.
public final class ImageDecoder {
    public let shape: ImageShape
    private let jpeg = JPEGDecoder()

    public init(shape: ImageShape) { self.shape = shape }

    /// Decodes encoded bytes to an RGB image at the model's size.
    public func decodeResized(_ bytes: UnsafeRawBufferPointer) throws(ImageDecodeError) -> RGBImage {
        let image: RGBImage
        switch ImageFormat.detect(UnsafeRawBufferPointer(rebasing: bytes.prefix(ImageFormat.magicLength))) {
        case .jpeg?:
            image = try jpeg.decode(bytes, minimumShortSide: min(shape.height, shape.width))
        case .png?:
            image = try PNGDecoder.decode(bytes)
        case nil:
            throw ImageDecodeError(reason: "not a JPEG or PNG file")
        }
        return ResizeCrop.apply(image, targetHeight: shape.height, targetWidth: shape.width)
    }

    /// Decodes encoded bytes into `out`, `(H, W, C)` bytes.
    public func decode(_ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>) throws(ImageDecodeError) {
        let image = try decodeResized(bytes)
        Luminance.store(image, channels: shape.channels, into: out)
    }

    /// Reads and decodes a file into `out`, `(H, W, C)` bytes.
    public func decodeFile(atPath path: String, into out: UnsafeMutableBufferPointer<UInt8>) throws(ImageDecodeError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageDecodeError(reason: "cannot read the file (missing or no permission)")
        }
        // Typed throws do not pass through `withUnsafeBytes`, so carry the outcome as a Result.
        let outcome: Result<Void, ImageDecodeError> = data.withUnsafeBytes { raw in
            do throws(ImageDecodeError) { try decode(raw, into: out); return .success(()) } catch { return .failure(error) }
        }
        try outcome.get()
    }
}
