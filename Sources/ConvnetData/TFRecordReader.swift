/// Splits a TFRecord file into its records, checking both CRCs (references.md §2):
/// `uint64 length (LE) | uint32 masked crc32c(length) | data | uint32 masked crc32c(data)`.
///
/// A record whose data CRC fails is reported and skipped; a bad length CRC or a file that ends
/// mid-record stops the reading of that file (nothing after it can be trusted to be aligned), and
/// the records read so far are kept.
public enum TFRecordReader {
    public struct Result: Sendable {
        /// Byte ranges of the records' data within the file.
        public var records: [Range<Int>] = []
        /// Problems found, as `(record number, reason)`.
        public var problems: [(record: Int, reason: String)] = []
    }

    public static func records(in bytes: UnsafeRawBufferPointer) -> Result {
        var result = Result()
        var offset = 0
        var number = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 12 else {
                result.problems.append((number, "file ends inside a record header"))
                break
            }
            let length = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
            let lengthCRC = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self).littleEndian
            if CRC32C.masked(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 8)]))) != lengthCRC {
                result.problems.append((number, "length CRC mismatch (corrupt file); rest of the file ignored"))
                break
            }
            let start = offset + 12
            guard length <= UInt64(bytes.count - start), bytes.count - start - Int(length) >= 4 else {
                result.problems.append((number, "file ends inside a record (truncated)"))
                break
            }
            let end = start + Int(length)
            let dataCRC = bytes.loadUnaligned(fromByteOffset: end, as: UInt32.self).littleEndian
            if CRC32C.masked(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))) == dataCRC {
                result.records.append(start..<end)
            } else {
                result.problems.append((number, "data CRC mismatch (corrupt record)"))
            }
            offset = end + 4
            number += 1
        }
        return result
    }
}
