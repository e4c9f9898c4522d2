/// A minimal reader for `tf.train.Example` protobufs, enough for image datasets:
/// `Example { Features features = 1 }`, `Features { map<string, Feature> feature = 1 }`,
/// `Feature { oneof { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3 } }`,
/// each list holding `repeated value = 1` (packed or not).
public enum ExampleParser {
    /// One feature's values.
    public enum Feature: Hashable, Sendable {
        case bytes([[UInt8]])
        case floats([Float])
        case int64s([Int64])
    }

    struct Malformed: Error {}

    /// Parses an Example; nil if the bytes are not a well-formed Example.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> [String: Feature]? {
        var features: [String: Feature] = [:]
        do {
            var example = ProtoReader(bytes)
            while let (field, wire) = try example.nextKey() {
                guard field == 1, wire == 2 else { try example.skip(wire); continue }
                var featuresMessage = ProtoReader(try example.lengthDelimited())
                while let (f, w) = try featuresMessage.nextKey() {
                    guard f == 1, w == 2 else { try featuresMessage.skip(w); continue }
                    var entry = ProtoReader(try featuresMessage.lengthDelimited())
                    var key = ""
                    var value: Feature?
                    while let (ef, ew) = try entry.nextKey() {
                        if ef == 1, ew == 2 { key = String(decoding: try entry.lengthDelimited(), as: UTF8.self) }
                        else if ef == 2, ew == 2 { value = try feature(try entry.lengthDelimited()) }
                        else { try entry.skip(ew) }
                    }
                    if let v = value { features[key] = v }
                }
            }
        } catch {
            return nil
        }
        return features
    }

    static func feature(_ bytes: UnsafeRawBufferPointer) throws -> Feature? {
        var r = ProtoReader(bytes)
        var result: Feature?
        while let (field, wire) = try r.nextKey() {
            guard wire == 2 else { try r.skip(wire); continue }
            var list = ProtoReader(try r.lengthDelimited())
            switch field {
            case 1:
                var values: [[UInt8]] = []
                while let (f, w) = try list.nextKey() {
                    if f == 1, w == 2 { values.append(Array(try list.lengthDelimited())) } else { try list.skip(w) }
                }
                result = .bytes(values)
            case 2:
                var values: [Float] = []
                while let (f, w) = try list.nextKey() {
                    if f == 1, w == 2 {
                        let packed = try list.lengthDelimited()
                        guard packed.count % 4 == 0 else { throw Malformed() }
                        for i in stride(from: 0, to: packed.count, by: 4) {
                            values.append(Float(bitPattern: packed.loadUnaligned(fromByteOffset: i, as: UInt32.self).littleEndian))
                        }
                    } else if f == 1, w == 5 {
                        values.append(Float(bitPattern: try list.fixed32()))
                    } else { try list.skip(w) }
                }
                result = .floats(values)
            case 3:
                var values: [Int64] = []
                while let (f, w) = try list.nextKey() {
                    if f == 1, w == 2 {
                        var packed = ProtoReader(try list.lengthDelimited())
                        while !packed.atEnd { values.append(Int64(bitPattern: try packed.varint())) }
                    } else if f == 1, w == 0 {
                        values.append(Int64(bitPattern: try list.varint()))
                    } else { try list.skip(w) }
                }
                result = .int64s(values)
            default:
                break
            }
        }
        return result
    }
}

/// Protobuf wire-format cursor over a byte buffer.
struct ProtoReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { offset >= bytes.count }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < bytes.count, shift < 64 else { throw ExampleParser.Malformed() }
            let b = bytes[offset]
            offset += 1
            value |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// The next `(field number, wire type)`, or nil at the end.
    mutating func nextKey() throws -> (Int, Int)? {
        if atEnd { return nil }
        let key = try varint()
        return (Int(key >> 3), Int(key & 7))
    }

    mutating func lengthDelimited() throws -> UnsafeRawBufferPointer {
        let n = try varint()
        guard n <= UInt64(bytes.count - offset) else { throw ExampleParser.Malformed() }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(n))])
        offset += Int(n)
        return slice
    }

    mutating func fixed32() throws -> UInt32 {
        guard bytes.count - offset >= 4 else { throw ExampleParser.Malformed() }
        defer { offset += 4 }
        return bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian
    }

    mutating func skip(_ wire: Int) throws {
        switch wire {
        case 0: _ = try varint()
        case 1: guard bytes.count - offset >= 8 else { throw ExampleParser.Malformed() }; offset += 8
        case 2: _ = try lengthDelimited()
        case 5: _ = try fixed32()
        default: throw ExampleParser.Malformed()
        }
    }
}
