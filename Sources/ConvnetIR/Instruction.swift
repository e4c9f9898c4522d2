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
    /// Results after the first, for a fusion whose kernel writes several values (its body's
    /// outputs after the first, in order). Empty for every other instruction.
    public var extraResults: [ExtraResult]
    /// The optimizer's kernel decisions (`KernelSelection`), typed; nil before that pass.
    public var kernel: KernelPlan?

    public init(result: ValueID, op: Op, operands: [ValueID], type: TensorType,
                name: String? = nil, layer: String? = nil, attributes: Attributes = Attributes(),
                extraResults: [ExtraResult] = [], kernel: KernelPlan? = nil) {
        self.result = result
        self.op = op
        self.operands = operands
        self.type = type
        self.name = name
        self.layer = layer
        self.attributes = attributes
        self.extraResults = extraResults
        self.kernel = kernel
    }

    /// Every value the instruction defines with its type: the result, then the extra results.
    public var definitions: [(value: ValueID, type: TensorType)] {
        [(result, type)] + extraResults.map { ($0.value, $0.type) }
    }
}
