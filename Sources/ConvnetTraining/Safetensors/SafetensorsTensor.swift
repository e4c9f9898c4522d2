/// One named tensor of a safetensors file: element type, shape and raw little-endian bytes in
/// row-major ("C") order.
public struct SafetensorsTensor: Equatable, Sendable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// `shape.product * dtype.size` bytes, little endian.
    public var bytes: [UInt8]

    /// A tensor from raw bytes; the byte count must match the shape (checked by the writer too).
    public init(name: String, dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// An F32 tensor from floats.
    public init(name: String, shape: [Int], floats: [Float]) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(floats.count * 4)
        for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, dtype: .f32, shape: shape, bytes: bytes)
    }

    /// An I64 tensor from integers.
    public init(name: String, shape: [Int], int64s: [Int64]) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(int64s.count * 8)
        for v in int64s { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, dtype: .i64, shape: shape, bytes: bytes)
    }

    /// An I32 tensor from integers.
    public init(name: String, shape: [Int], int32s: [Int32]) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(int32s.count * 4)
        for v in int32s { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(name: name, dtype: .i32, shape: shape, bytes: bytes)
    }

    /// Number of elements the shape describes (1 for a scalar, shape `[]`).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The elements as floats, or nil when the tensor is not F32.
    public var floats: [Float]? {
        guard dtype == .f32 else { return nil }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Float(bitPattern: UInt32(littleEndianBytes: bytes[i..<i + 4]))
        }
    }

    /// The elements as 64-bit integers, or nil when the tensor is not I64.
    public var int64s: [Int64]? {
        guard dtype == .i64 else { return nil }
        return stride(from: 0, to: bytes.count, by: 8).map { i in
            Int64(bitPattern: UInt64(littleEndianBytes: bytes[i..<i + 8]))
        }
    }

    /// The elements as 32-bit integers, or nil when the tensor is not I32.
    public var int32s: [Int32]? {
        guard dtype == .i32 else { return nil }
        return stride(from: 0, to: bytes.count, by: 4).map { i in
            Int32(bitPattern: UInt32(littleEndianBytes: bytes[i..<i + 4]))
        }
    }
}

extension FixedWidthInteger where Self: UnsignedInteger {
    /// Assembles an integer from exactly `MemoryLayout<Self>.size` little-endian bytes.
    init(littleEndianBytes bytes: ArraySlice<UInt8>) {
        var value: Self = 0
        for (shift, b) in bytes.enumerated() { value |= Self(b) << (shift * 8) }
        self = value
    }
}
