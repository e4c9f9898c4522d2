/// Typed construction: each helper appends one instruction whose result type comes from
/// `ShapeRules`, so builders and passes never compute shapes by hand. A shape error here is a
/// bug in the caller (a checked model always lowers cleanly), so it traps with the rule's message.
extension Graph {
    /// Appends `op(operands)` with its inferred type (`declared` for ops that need one).
    @discardableResult
    public mutating func emit(_ op: Op, _ operands: [ValueID], declared: TensorType? = nil,
                              layer: String? = nil, name: String? = nil) -> ValueID {
        let types = operands.map { v -> TensorType in
            guard let t = type(of: v) else { preconditionFailure("emit \(op.mnemonic): operand \(v) is not defined") }
            return t
        }
        let resultType: TensorType
        do throws(ShapeError) {
            resultType = try ShapeRules.resultType(of: op, operands: types, declared: declared)
        } catch {
            preconditionFailure("emit \(op.mnemonic): \(error.message)")
        }
        return append(op, operands, resultType, name: name, layer: layer)
    }

    /// Declares an input.
    @discardableResult
    public mutating func input(_ name: String, _ type: TensorType, role: InputRole,
                               layer: String? = nil) -> ValueID {
        append(.input(role), [], type, name: name, layer: layer)
    }

    /// A scalar f32 constant (binary ops broadcast it).
    public mutating func constant(_ value: Double, layer: String? = nil) -> ValueID {
        append(.constant(value), [], .scalar, layer: layer)
    }

    public mutating func binary(_ op: BinaryOp, _ a: ValueID, _ b: ValueID, layer: String? = nil) -> ValueID {
        emit(.binary(op), [a, b], layer: layer)
    }

    public mutating func add(_ a: ValueID, _ b: ValueID, layer: String? = nil) -> ValueID { binary(.add, a, b, layer: layer) }
    public mutating func sub(_ a: ValueID, _ b: ValueID, layer: String? = nil) -> ValueID { binary(.sub, a, b, layer: layer) }
    public mutating func mul(_ a: ValueID, _ b: ValueID, layer: String? = nil) -> ValueID { binary(.mul, a, b, layer: layer) }
    public mutating func div(_ a: ValueID, _ b: ValueID, layer: String? = nil) -> ValueID { binary(.div, a, b, layer: layer) }

    public mutating func unary(_ op: UnaryOp, _ x: ValueID, layer: String? = nil) -> ValueID {
        emit(.unary(op), [x], layer: layer)
    }

    /// `x * c` for a constant `c`.
    public mutating func scale(_ x: ValueID, by c: Double, layer: String? = nil) -> ValueID {
        let k = constant(c, layer: layer)
        return mul(x, k, layer: layer)
    }

    /// The type of a value that must exist.
    public func typeOf(_ v: ValueID) -> TensorType {
        guard let t = type(of: v) else { preconditionFailure("\(v) is not defined") }
        return t
    }
}
