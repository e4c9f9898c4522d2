/// The file formats the loader understands, recognised by their first bytes (never by extension,
/// so `photo.JPG`, `scan.jpeg` and an extension-less download all work, and `notes.txt` is skipped).
public enum ImageFormat: String, Hashable, Sendable {
    case jpeg
    case png

    /// Bytes the detector needs to see.
    public static let magicLength = 8

    /// JPEG starts with SOI + a marker (FF D8 FF); PNG with its 8-byte signature.
    public static func detect<C: Collection>(_ header: C) -> ImageFormat? where C.Element == UInt8 {
        let b = Array(header.prefix(magicLength))
        if b.count >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return .jpeg }
        if b.count >= 8, b == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        return nil
    }
}
