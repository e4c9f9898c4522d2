import ConvnetSupport
import Foundation

/// Reading and writing the safetensors format (an 8-byte little-endian header length N, N bytes
/// of JSON header, then the raw data; offsets relative to the end of the header).
public enum Safetensors {
    /// The reference implementation refuses headers above 100 MB; so do we, before allocating.
    public static let maxHeaderLength: UInt64 = 100_000_000

    /// The bytes of a file holding `tensors` and `metadata`, identical to what the reference
    /// implementation (`safetensors.serialize`) writes for the same input:
    /// - tensors sorted by descending dtype alignment, then by name (byte order);
    /// - compact JSON with `__metadata__` first (its keys sorted by name here: the reference
    ///   uses a hash map, so its order is unspecified), then the tensors in data order;
    /// - the header padded with spaces to a multiple of 8 bytes, so F32/F64/I64 data is aligned.
    /// `file` names the destination in error messages.
    public static func encode(_ tensors: [SafetensorsTensor], metadata: [String: String] = [:],
                              file: String = "<memory>") throws(SafetensorsError) -> [UInt8] {
        var seen = Set<String>()
        for t in tensors {
            guard !t.name.isEmpty, t.name != "__metadata__" else {
                throw SafetensorsError(file: file, reason: .invalidName(t.name))
            }
            guard seen.insert(t.name).inserted else {
                throw SafetensorsError(file: file, reason: .duplicateName(t.name))
            }
            guard t.shape.allSatisfy({ $0 >= 0 }), t.elementCount * t.dtype.size == t.bytes.count else {
                throw SafetensorsError(file: file, reason: .sizeMismatch(
                    tensor: t.name, expectedBytes: t.elementCount * t.dtype.size, declaredBytes: t.bytes.count))
            }
        }
        let ordered = tensors.sorted { a, b in
            if a.dtype.alignmentRank != b.dtype.alignmentRank { return a.dtype.alignmentRank > b.dtype.alignmentRank }
            return Array(a.name.utf8).lexicographicallyPrecedes(Array(b.name.utf8))
        }

        var entries: [(String, JSON)] = []
        if !metadata.isEmpty {
            let sortedKeys = metadata.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            entries.append(("__metadata__", .object(sortedKeys.map { ($0, .string(metadata[$0]!)) })))
        }
        var offset = 0
        for t in ordered {
            entries.append((t.name, .object([
                ("dtype", .string(t.dtype.rawValue)),
                ("shape", .array(t.shape.map { .int($0) })),
                ("data_offsets", .array([.int(offset), .int(offset + t.bytes.count)])),
            ])))
            offset += t.bytes.count
        }
        var header = Array(JSON.object(entries).compactText.utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for t in ordered { out.append(contentsOf: t.bytes) }
        return out
    }

    /// Writes a safetensors file atomically (see `AtomicFile`): a reader never sees half a file.
    public static func write(_ tensors: [SafetensorsTensor], metadata: [String: String] = [:],
                             to url: URL) throws {
        let bytes = try encode(tensors, metadata: metadata, file: url.path)
        try AtomicFile.write(bytes, to: url)
    }
}
