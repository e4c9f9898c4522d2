import Foundation

/// One image file for `predict`: decode, resize + centre-crop, channel conversion and scaling to
/// [0, 1], exactly as a dataset image, so a prediction sees what training saw.
public enum SingleImage {
    /// The image at `path` as Float `(H, W, C)` in [0, 1].
    public static func load(path: String, shape: ImageShape) throws(DataError) -> [Float] {
        let bytes = try loadBytes(path: path, shape: shape)
        var out = [Float](repeating: 0, count: shape.elementCount)  // (H, W, C)
        bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                PixelWriter.write(src, shape: shape, draw: nil, into: dst.baseAddress!)
            }
        }
        return out
    }

    /// The image at `path` as UInt8 `(H, W, C)`, before scaling.
    public static func loadBytes(path: String, shape: ImageShape) throws(DataError) -> [UInt8] {
        try shape.validate()
        if ImageFolderListing.isDirectory(path) { throw .unreadableImage(path: path, reason: "it is a folder") }
        guard FileManager.default.fileExists(atPath: path) else {
            throw .unreadableImage(path: path, reason: "no such file")
        }
        var out = [UInt8](repeating: 0, count: shape.elementCount)  // (H, W, C)
        let decoder = ImageDecoder(shape: shape)
        let outcome: Result<Void, ImageDecodeError> = out.withUnsafeMutableBufferPointer { dst in
            do throws(ImageDecodeError) { try decoder.decodeFile(atPath: path, into: dst); return .success(()) }
            catch { return .failure(error) }
        }
        if case .failure(let e) = outcome { throw .unreadableImage(path: path, reason: e.reason) }
        return out
    }
}
