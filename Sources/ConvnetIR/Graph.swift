/// A named result of a graph.
public struct GraphOutput: Hashable, Sendable {
    /// For an updated weight or slot, the same name as the input it replaces, so a trainer can
    /// feed outputs back by name; otherwise `loss`, `correct`, `probabilities`.
    public var name: String
    public var value: ValueID

    public init(name: String, value: ValueID) {
        self.name = name
        self.value = value
    }
}

/// A flat list of SSA instructions in definition order, plus named outputs. This is the whole
/// program: there is no control flow. Fusion bodies are graphs too.
///
/// The fields are public and mutable so that passes can rewrite freely (and tests can build
/// broken graphs); `Verifier` checks the invariants.
public struct Graph: Hashable, Sendable {
    public var instructions: [Instruction]
    public var outputs: [GraphOutput]
    /// The next unused value number; `append` takes it.
    public var nextValue: Int

    public init(instructions: [Instruction] = [], outputs: [GraphOutput] = []) {
        self.instructions = instructions
        self.outputs = outputs
        self.nextValue = (instructions.flatMap { $0.definitions.map(\.value.raw) }.max() ?? -1) + 1
    }

    /// A fresh value id.
    public mutating func newValue() -> ValueID {
        defer { nextValue += 1 }
        return ValueID(nextValue)
    }

    /// Appends `op(operands) : type` and returns its result.
    @discardableResult
    public mutating func append(_ op: Op, _ operands: [ValueID], _ type: TensorType,
                                name: String? = nil, layer: String? = nil,
                                attributes: Attributes = Attributes()) -> ValueID {
        let id = newValue()
        instructions.append(Instruction(result: id, op: op, operands: operands, type: type,
                                        name: name, layer: layer, attributes: attributes))
        return id
    }

    /// Where each value is defined (the last definition wins if a broken graph has two).
    public func definitionIndex() -> [ValueID: Int] {
        var index: [ValueID: Int] = [:]
        for (i, inst) in instructions.enumerated() {
            index[inst.result] = i
            for e in inst.extraResults { index[e.value] = i }
        }
        return index
    }

    /// The instruction defining `value`. Linear time; use `definitionIndex()` in loops.
    public func instruction(defining value: ValueID) -> Instruction? {
        instructions.last { $0.result == value || $0.extraResults.contains { $0.value == value } }
    }

    /// The type of `value`, if it is defined (an extra result's own type for a multi-result fusion).
    public func type(of value: ValueID) -> TensorType? {
        guard let inst = instruction(defining: value) else { return nil }
        return inst.result == value ? inst.type : inst.extraResults.first { $0.value == value }?.type
    }

    /// Every defined value's type, extra results included.
    public func types() -> [ValueID: TensorType] {
        var types: [ValueID: TensorType] = [:]
        for inst in instructions { for d in inst.definitions { types[d.value] = d.type } }
        return types
    }

    /// The `input` instructions in order.
    public var inputs: [Instruction] {
        instructions.filter { if case .input = $0.op { true } else { false } }
    }

    /// The input with this name.
    public func input(named name: String) -> Instruction? {
        inputs.first { $0.name == name }
    }

    /// The value of the output with this name.
    public func output(named name: String) -> ValueID? {
        outputs.first { $0.name == name }?.value
    }

    /// Whether an instruction of this graph, or of a fusion body in it, satisfies `predicate`.
    public func containsInstruction(where predicate: (Instruction) -> Bool) -> Bool {
        instructions.contains { inst in
            if predicate(inst) { return true }
            if case .fusion(_, let body) = inst.op { return body.containsInstruction(where: predicate) }
            return false
        }
    }

    /// How many instructions use each value (outputs count as uses).
    public func useCounts() -> [ValueID: Int] {
        var counts: [ValueID: Int] = [:]
        for inst in instructions { for o in inst.operands { counts[o, default: 0] += 1 } }
        for o in outputs { counts[o.value, default: 0] += 1 }
        return counts
    }
}
