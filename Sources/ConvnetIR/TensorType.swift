/// The element type of an IR value. Labels and the dropout seed are `i32`; everything else is `f32`.
public enum ElementType: String, Hashable, Sendable, CustomStringConvertible {
    case f32, i32

    public var description: String { rawValue }
}

/// The static type of an IR value: element type plus a fully known shape, batch included.
/// Rank 0 (`f32[]`) is a scalar.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var element: ElementType
    public var shape: [Int]

    public init(_ element: ElementType, _ shape: [Int]) {
        self.element = element
        self.shape = shape
    }

    public static func f32(_ shape: [Int]) -> TensorType { TensorType(.f32, shape) }
    public static func i32(_ shape: [Int]) -> TensorType { TensorType(.i32, shape) }
    /// An `f32` scalar.
    public static let scalar = TensorType(.f32, [])

    public var rank: Int { shape.count }
    public var isScalar: Bool { shape.isEmpty }
    public var elementCount: Int { shape.reduce(1, *) }

    /// `f32[32,96,96,60]`, `f32[]`
    public var description: String { "\(element)[" + shape.map(String.init).joined(separator: ",") + "]" }
}
