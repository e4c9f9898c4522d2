import ConvnetSupport

/// What the HDF5 reader process sends back: every dataset below a group (path, shape, whether it
/// is floating point) and the float32 values of the datasets asked for, or the reader's error.
///
/// The wire format is this package's own, between two processes of the same build on the same
/// machine (so native byte order), checked on decoding as if it were hostile (a reader that died
/// half-way leaves a truncated answer):
/// ```
/// "CNH5" u32(1)                          magic and version
/// u8(0) u32 count, count x dataset       a listing
/// u8(1) u32 n, n bytes of UTF-8           the reader's error message
/// dataset: u32 n, path (UTF-8), u8 isFloat, u32 rank, rank x i64 dims,
///          u8 hasValues [, product(dims) x f32]
/// ```
struct HDF5Listing: Equatable, Sendable {
    var datasets: [HDF5Dataset]
    /// Values by dataset path, row-major, for the datasets asked for whose shape matched.
    var values: [String: [Float]]

    static let magic: [UInt8] = Array("CNH5".utf8)
    static let version: UInt32 = 1

    /// The reader's answer: a listing, or the message of the error it hit.
    enum Answer: Equatable {
        case listing(HDF5Listing)
        case failure(String)
    }

    static func encode(_ answer: Answer) -> [UInt8] {
        var out = magic
        append(version, to: &out)
        switch answer {
        case .failure(let message):
            out.append(1)
            appendString(message, to: &out)
        case .listing(let listing):
            out.append(0)
            append(UInt32(listing.datasets.count), to: &out)
            for d in listing.datasets {
                appendString(d.path, to: &out)
                out.append(d.isFloat ? 1 : 0)
                append(UInt32(d.shape.count), to: &out)
                for n in d.shape { append(Int64(n), to: &out) }
                if let values = listing.values[d.path] {
                    out.append(1)
                    values.withUnsafeBytes { out.append(contentsOf: $0) }
                } else {
                    out.append(0)
                }
            }
        }
        return out
    }

    /// The answer in `bytes`, or nil when they are not a whole, consistent answer.
    static func decode(_ bytes: [UInt8]) -> Answer? {
        var reader = Reader(bytes: bytes)
        guard reader.take(magic.count) == magic[...], reader.integer(UInt32.self) == version,
              let kind = reader.integer(UInt8.self) else { return nil }
        switch kind {
        case 1:
            guard let message = reader.string(), reader.atEnd else { return nil }
            return .failure(message)
        case 0:
            guard let count = reader.integer(UInt32.self) else { return nil }
            var listing = HDF5Listing(datasets: [], values: [:])
            for _ in 0..<count {
                guard let path = reader.string(), let isFloat = reader.integer(UInt8.self), isFloat <= 1,
                      let rank = reader.integer(UInt32.self), rank <= 32 else { return nil }
                var shape: [Int] = []
                for _ in 0..<rank {
                    guard let n = reader.integer(Int64.self), n >= 0, n <= Int64(Int32.max) else { return nil }
                    shape.append(Int(n))
                }
                listing.datasets.append(HDF5Dataset(path: path, shape: shape, isFloat: isFloat == 1))
                guard let hasValues = reader.integer(UInt8.self), hasValues <= 1 else { return nil }
                if hasValues == 1 {
                    // Bounded by the bytes actually present before anything is allocated.
                    guard let count = CheckedSize.product(shape), let byteCount = CheckedSize.product(count, 4),
                          let raw = reader.take(byteCount) else { return nil }
                    var values = [Float](repeating: 0, count: count)
                    values.withUnsafeMutableBytes { target in raw.withUnsafeBytes { target.copyMemory(from: $0) } }
                    listing.values[path] = values
                }
            }
            return reader.atEnd ? .listing(listing) : nil
        default:
            return nil
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value) { out.append(contentsOf: $0) }
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        let utf8 = Array(text.utf8)
        append(UInt32(utf8.count), to: &out)
        out.append(contentsOf: utf8)
    }

    /// Reads fields off the front of the answer, nil past its end.
    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, count <= bytes.count - offset else { return nil }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
            guard let raw = take(MemoryLayout<T>.size) else { return nil }
            return raw.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
        }

        mutating func string() -> String? {
            guard let n = integer(UInt32.self), let raw = take(Int(n)) else { return nil }
            return String(decoding: raw, as: UTF8.self)
        }
    }
}
