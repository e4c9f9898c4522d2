/// Why a safetensors file could not be read or written, naming the file so the message stands on
/// its own in a terminal ("weights.safetensors: tensor 'dense/bias' ...").
public struct SafetensorsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, as data so tests and callers can match on it.
    public enum Reason: Equatable, Sendable {
        case tooShort(byteCount: Int)
        case headerTooLarge(headerLength: UInt64)
        case headerPastEnd(headerLength: UInt64, fileSize: Int)
        case headerNotUTF8
        case headerNotJSON(String)
        case headerNotObject
        case metadataNotStringMap
        case entryMalformed(tensor: String, detail: String)
        case unknownDType(tensor: String, dtype: String)
        case sizeMismatch(tensor: String, expectedBytes: Int, declaredBytes: Int)
        case offsetsNotContiguous(tensor: String, expectedBegin: Int, begin: Int)
        case dataLengthMismatch(declared: Int, actual: Int)
        case duplicateName(String)
        case invalidName(String)
        case io(String)
    }

    /// The file (or a label such as "<memory>") the error is about.
    public let file: String
    public let reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reasonText)" }

    private var reasonText: String {
        switch reason {
        case let .tooShort(n):
            return "not a safetensors file: \(n) bytes, fewer than the 8-byte header length"
        case let .headerTooLarge(n):
            return "not a safetensors file: header length \(n) exceeds the 100 MB limit"
        case let .headerPastEnd(n, size):
            return "truncated or corrupt: header length \(n) runs past the end of the \(size)-byte file"
        case .headerNotUTF8:
            return "corrupt header: not valid UTF-8"
        case let .headerNotJSON(detail):
            return "corrupt header: not valid JSON (\(detail))"
        case .headerNotObject:
            return "corrupt header: the JSON is not an object"
        case .metadataNotStringMap:
            return "corrupt header: __metadata__ must map strings to strings"
        case let .entryMalformed(t, detail):
            return "corrupt header: tensor '\(t)': \(detail)"
        case let .unknownDType(t, d):
            return "tensor '\(t)' has dtype '\(d)', which convnetc does not read (F32, F64, I64, I32, U8)"
        case let .sizeMismatch(t, expected, declared):
            return "tensor '\(t)': shape and dtype need \(expected) bytes but its offsets span \(declared)"
        case let .offsetsNotContiguous(t, expected, begin):
            return "tensor '\(t)': data begins at byte \(begin) but the previous tensor ends at \(expected) (offsets must be contiguous from 0)"
        case let .dataLengthMismatch(declared, actual):
            return "truncated or corrupt: the header describes \(declared) data bytes but the file holds \(actual)"
        case let .duplicateName(n):
            return "two tensors are named '\(n)'"
        case let .invalidName(n):
            return "'\(n)' cannot name a tensor (empty or reserved)"
        case let .io(detail):
            return detail
        }
    }
}
