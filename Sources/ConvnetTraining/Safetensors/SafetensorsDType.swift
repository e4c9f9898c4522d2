/// The element types a safetensors file can name that convnetc reads and writes.
///
/// The raw value is the spelling in the header. `alignmentRank` follows the declaration order of
/// the reference implementation's `Dtype` enum (BOOL, U8, I8, ..., I32, U32, F32, F64, I64, U64),
/// which it uses to sort tensors before writing (descending rank, then name), so files with wide
/// types first keep every tensor naturally aligned.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    case u8 = "U8"
    case i32 = "I32"
    case f32 = "F32"
    case f64 = "F64"
    case i64 = "I64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .u8: return 1
        case .i32, .f32: return 4
        case .f64, .i64: return 8
        }
    }

    /// Position in the reference implementation's `Dtype` declaration order.
    var alignmentRank: Int {
        switch self {
        case .u8: return 1
        case .i32: return 9
        case .f32: return 11
        case .f64: return 12
        case .i64: return 13
        }
    }
}
