/// One SSA definition: `result = op(operands) : type`.
public struct Instruction: Hashable, Sendable {
    public var result: ValueID
    public var op: Op
    public var operands: [ValueID]
    public var type: TensorType
    /// For inputs: the Keras-style name the trainer feeds (`conv2d_1/kernel`, `images`).
    public var name: String?
    /// The model layer this value belongs to (`conv2d_1`), forward or backward, for profiles.
    public var layer: String?
    /// Open-ended attributes for passes and backends (`tile=...` from the optimizer's tile
    /// plans), printed in order after the op's own attributes. ConvnetIR never interprets them.
    public var attributes: Attributes

    public init(result: ValueID, op: Op, operands: [ValueID], type: TensorType,
                name: String? = nil, layer: String? = nil, attributes: Attributes = Attributes()) {
        self.result = result
        self.op = op
        self.operands = operands
        self.type = type
        self.name = name
        self.layer = layer
        self.attributes = attributes
    }
}
