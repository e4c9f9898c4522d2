/// A dense row-major tensor for the reference interpreter. `i32` values (labels, seeds) are
/// stored as exact small integers in `Scalar` so one storage type serves every op.
public struct Tensor<Scalar: IRScalar>: Hashable, Sendable {
    public var element: ElementType
    public var shape: [Int]
    public var scalars: [Scalar]

    public init(_ element: ElementType = .f32, shape: [Int], scalars: [Scalar]) {
        precondition(scalars.count == shape.reduce(1, *), "\(scalars.count) scalars for shape \(shape)")
        self.element = element
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `type` filled with `value`.
    public init(filling type: TensorType, with value: Scalar = 0) {
        self.init(type.element, shape: type.shape, scalars: Array(repeating: value, count: type.elementCount))
    }

    /// An f32 scalar.
    public init(scalar: Scalar) { self.init(.f32, shape: [], scalars: [scalar]) }

    /// Integer labels, `i32[n]`.
    public init(labels: [Int]) { self.init(.i32, shape: [labels.count], scalars: labels.map { Scalar($0) }) }

    public var type: TensorType { TensorType(element, shape) }
    public var count: Int { scalars.count }

    /// The only element of a scalar (or the first element).
    public var scalar: Scalar { scalars[0] }

    /// The same values in another scalar type.
    public func converted<T: IRScalar>(to: T.Type = T.self) -> Tensor<T> {
        Tensor<T>(element, shape: shape, scalars: scalars.map { T($0) })
    }
}
