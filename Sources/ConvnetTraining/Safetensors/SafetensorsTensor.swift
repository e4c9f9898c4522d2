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
        self.init(name: name, dtype: .f32, shape: shape, bytes: SafetensorsTensor.littleEndianBytes(of: floats))
    }

    /// An I64 tensor from integers.
    public init(name: String, shape: [Int], int64s: [Int64]) {
        self.init(name: name, dtype: .i64, shape: shape, bytes: SafetensorsTensor.littleEndianBytes(of: int64s))
    }

    /// An I32 tensor from integers.
    public init(name: String, shape: [Int], int32s: [Int32]) {
        self.init(name: name, dtype: .i32, shape: shape, bytes: SafetensorsTensor.littleEndianBytes(of: int32s))
    }

    /// Number of elements the shape describes (1 for a scalar, shape `[]`).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The elements as floats, or nil when the tensor is not F32.
    public var floats: [Float]? { dtype == .f32 ? elements(Float.self) : nil }

    /// The elements as 64-bit integers, or nil when the tensor is not I64.
    public var int64s: [Int64]? { dtype == .i64 ? elements(Int64.self) : nil }

    /// The elements as 32-bit integers, or nil when the tensor is not I32.
    public var int32s: [Int32]? { dtype == .i32 ? elements(Int32.self) : nil }

    /// Raw little-endian bytes of `values`. A plain copy on little-endian hosts (all Swift
    /// targets in practice), which matters for a 55M-parameter dense model.
    static func littleEndianBytes<T: BitwiseCopyable>(of values: [T]) -> [UInt8] {
        var bytes = values.withUnsafeBytes { Array($0) }
        #if _endian(big)
        let size = MemoryLayout<T>.size
        for i in stride(from: 0, to: bytes.count, by: size) { bytes[i..<i + size].reverse() }
        #endif
        return bytes
    }

    /// The bytes reinterpreted as elements of `T` (whose size must divide the byte count, as
    /// the reader and writer guarantee for a matching dtype).
    private func elements<T: BitwiseCopyable>(_: T.Type) -> [T] {
        var raw = bytes
        #if _endian(big)
        let size = MemoryLayout<T>.size
        for i in stride(from: 0, to: raw.count, by: size) { raw[i..<i + size].reverse() }
        #endif
        let count = raw.count / MemoryLayout<T>.size
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            raw.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[0..<count * MemoryLayout<T>.size]))
            }
            initialized = count
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
