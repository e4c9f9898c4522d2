/// A JSON document as a value.
///
/// Why our own instead of `JSONSerialization`: the safetensors header must be written byte for
/// byte the way the reference implementation (serde_json, compact) writes it, objects must keep
/// their key order, integers must stay exact (byte offsets), and a reader of untrusted files must
/// reject duplicate keys and tell booleans from numbers. Foundation's parser does none of that
/// reliably on Linux.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Keys in document order; a parsed object never holds a key twice.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.number(a), .number(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value stored under `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    /// The number as a `Double` (integers converted), or nil for non-numbers.
    public var doubleValue: Double? {
        switch self {
        case let .integer(i): return Double(i)
        case let .number(d): return d
        default: return nil
        }
    }

    /// The string payload, or nil.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }
}
