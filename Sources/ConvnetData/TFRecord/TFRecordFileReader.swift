#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Reads one TFRecord file front to back, one record at a time, checking both CRCs
/// (references.md §2): `uint64 length (LE) | uint32 masked crc32c(length) | data | uint32 masked
/// crc32c(data)`. Only one record is in memory at a time, so a shard of any size streams.
///
/// - A record whose data CRC fails is skipped (its length was trusted, so the next record is
///   still found) and reported as a `TFRecordProblem`.
/// - A length whose CRC fails leaves nothing to frame the rest of the file by: it is reported and
///   the file ends there.
/// - A file that ends inside a record (a truncated shard) keeps every whole record before the cut
///   and reports the cut.
///
/// The same file always yields the same records and problems, in the same order: the streaming
/// dataset relies on it to count records once (`ShardIndex`) and stream them every epoch.
public final class TFRecordFileReader {
    public let path: String
    /// The file's name, for messages.
    public let name: String
    private let file: UnsafeMutablePointer<FILE>
    private let size: Int
    /// Byte offset of the next record's header.
    public private(set) var offset = 0
    /// Index of the next record (counting skipped ones), from 0.
    public private(set) var index = 0
    private var done = false
    /// Every problem met so far, in file order.
    public private(set) var problems: [TFRecordProblem] = []

    /// One record's data and where it sat in the file.
    public struct Record {
        public var index: Int
        public var offset: Int
        public var data: [UInt8]
    }

    public init(path: String) throws(DataError) {
        guard let f = fopen(path, "rb") else {
            throw .badTFRecord(path: path, reason: "cannot open the file (\(String(cString: strerror(errno))))")
        }
        var info = stat()
        guard fstat(fileno(f), &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            fclose(f)
            throw .badTFRecord(path: path, reason: "not a regular file")
        }
        self.path = path
        name = (path as NSString).lastPathComponent
        file = f
        size = Int(info.st_size)
        setvbuf(f, nil, _IOFBF, 1 << 20)
    }

    deinit { fclose(file) }

    /// The next record whose CRCs both hold, or nil at the end of the file (or at the first
    /// problem that stops it). Problems met on the way are appended to `problems`.
    public func next() -> Record? {
        while !done {
            let start = offset
            var header = [UInt8](repeating: 0, count: 12)
            let got = header.withUnsafeMutableBytes { fread($0.baseAddress, 1, 12, file) }
            if got == 0 { done = true; return nil }
            if got < 12 { return stop(.truncated, at: start, "the file ends inside this record's header") }
            let lengthBytes = header.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[0..<8]) }
            let length = lengthBytes.loadUnaligned(as: UInt64.self).littleEndian
            let lengthCRC = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian }
            guard CRC32C.masked(CRC32C.checksum(lengthBytes)) == lengthCRC else {
                return stop(.corrupt, at: start, "the length's CRC does not match (corrupt header); the rest of the file cannot be read")
            }
            guard length <= UInt64(size - start - 12) else {
                return stop(.truncated, at: start, "the file ends inside this record (\(length) bytes announced)")
            }
            var data = [UInt8](repeating: 0, count: Int(length))
            let read = data.withUnsafeMutableBytes { length == 0 ? 0 : fread($0.baseAddress, 1, Int(length), file) }
            var crc: UInt32 = 0
            let crcRead = withUnsafeMutableBytes(of: &crc) { fread($0.baseAddress, 1, 4, file) }
            guard read == Int(length), crcRead == 4 else {
                return stop(.truncated, at: start, "the file ends inside this record (\(length) bytes announced)")
            }
            let n = index
            offset = start + 12 + Int(length) + 4
            index += 1
            if CRC32C.masked(CRC32C.checksum(data)) != UInt32(littleEndian: crc) {
                problems.append(TFRecordProblem(file: name, index: n, offset: start, kind: .corrupt,
                                                reason: "the data's CRC does not match (corrupt record)"))
                continue
            }
            return Record(index: n, offset: start, data: data)
        }
        return nil
    }

    private func stop(_ kind: TFRecordProblem.Kind, at start: Int, _ reason: String) -> Record? {
        var text = reason
        if kind == .truncated { text += "; the \(index) record\(index == 1 ? "" : "s") before it are kept" }
        problems.append(TFRecordProblem(file: name, index: index, offset: start, kind: kind, reason: text))
        done = true
        return nil
    }
}

/// A record that was left out: which file, which record (from 0), where it starts, and why.
public struct TFRecordProblem: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// A CRC failed.
        case corrupt
        /// The file ends inside the record.
        case truncated
    }

    public var file: String
    public var index: Int
    public var offset: Int
    public var kind: Kind
    public var reason: String

    /// `flowers00.tfrec, record 3 at byte 104857`
    public var place: String { "\(file), record \(index) at byte \(offset)" }

    public var description: String { "warning: skipped \(place): \(reason)" }

    /// As a skipped file, so it is reported and counted with the others.
    public var skipped: SkippedFile { SkippedFile(path: place, reason: reason) }
}
