#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes a TFRecord file: each record framed as `uint64 length (LE) | uint32 masked
/// crc32c(length) | data | uint32 masked crc32c(data)` (references.md §2), what TensorFlow's
/// `tf.io.TFRecordWriter` writes without compression.
public final class TFRecordWriter {
    public let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var closed = false
    /// Records written so far.
    public private(set) var count = 0

    /// Creates (or truncates) the file.
    public init(path: String) throws(DataError) {
        guard let f = fopen(path, "wb") else {
            throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
        self.path = path
        file = f
    }

    deinit { if !closed { fclose(file) } }

    /// The framed bytes of one record.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        let lengthBytes = le64(UInt64(data.count))
        return lengthBytes + le32(CRC32C.masked(CRC32C.checksum(lengthBytes))) + data
            + le32(CRC32C.masked(CRC32C.checksum(data)))
    }

    public func write(_ data: [UInt8]) throws(DataError) {
        let framed = TFRecordWriter.frame(data)
        let written = framed.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == framed.count else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        count += 1
    }

    /// Flushes and closes the file; a failure (disk full) is an error, not a silent short file.
    public func close() throws(DataError) {
        guard !closed else { return }
        closed = true
        guard fflush(file) == 0, fsync(fileno(file)) == 0 || errno == EINVAL, fclose(file) == 0 else {
            throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
        }
    }

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
