/// A float32 tensor as a checkpoint stores it: row-major values and their shape, in Keras layout
/// (a Conv2D kernel is (KH, KW, Cin, F), a Dense kernel (in, out)).
public struct CheckpointTensor: Equatable, Sendable {
    public var shape: [Int]
    /// `shape.product` values, row-major.
    public var values: [Float]

    /// A tensor; `values.count` must equal the product of `shape` (checked on save).
    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// A tensor of zeros, e.g. a fresh optimizer slot.
    public static func zeros(_ shape: [Int]) -> CheckpointTensor {
        CheckpointTensor(shape: shape, values: Array(repeating: 0, count: shape.reduce(1, *)))
    }

    /// Equality that treats NaN as equal to NaN bit for bit (a checkpoint round trip must keep
    /// NaNs, and `==` on floats cannot say so).
    public func bitwiseEqual(_ other: CheckpointTensor) -> Bool {
        shape == other.shape && values.count == other.values.count
            && zip(values, other.values).allSatisfy { $0.bitPattern == $1.bitPattern }
    }
}
