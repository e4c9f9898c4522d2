/// Writes `tf.train.Example` protobufs (the inverse of `ExampleParser`): features in the order
/// given, int64 and float lists packed, as TensorFlow's own serializer writes them, so
/// `tf.io.parse_single_example` reads them.
public enum ExampleEncoder {
    public static func encode(_ features: [(String, ExampleParser.Feature)]) -> [UInt8] {
        var map: [UInt8] = []
        for (key, feature) in features {
            let entry = field(1, Array(key.utf8)) + field(2, encode(feature))
            map += field(1, entry)
        }
        return field(1, map)  // Example.features
    }

    /// `Feature { oneof { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3 } }`
    static func encode(_ feature: ExampleParser.Feature) -> [UInt8] {
        switch feature {
        case .bytes(let values):
            return field(1, values.flatMap { field(1, $0) })
        case .floats(let values):
            var packed: [UInt8] = []
            packed.reserveCapacity(values.count * 4)
            for v in values { packed += TFRecordWriter.le32(v.bitPattern) }
            return field(2, values.isEmpty ? [] : field(1, packed))
        case .int64s(let values):
            let packed = values.flatMap { varint(UInt64(bitPattern: $0)) }
            return field(3, values.isEmpty ? [] : field(1, packed))
        }
    }

    /// A length-delimited field (wire type 2).
    static func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(payload.count)) + payload
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value, out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }
}
