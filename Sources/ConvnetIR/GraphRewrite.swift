/// Small editing helpers for passes; they keep SSA form but do not reorder or delete anything.
extension Graph {
    /// Makes every instruction and output that reads `old` read `new` instead.
    public mutating func replaceAllUses(of old: ValueID, with new: ValueID) {
        for i in instructions.indices {
            for j in instructions[i].operands.indices where instructions[i].operands[j] == old {
                instructions[i].operands[j] = new
            }
        }
        for i in outputs.indices where outputs[i].value == old { outputs[i].value = new }
    }

    /// For each value, the indices of the instructions that read it, in order.
    public func users() -> [ValueID: [Int]] {
        var users: [ValueID: [Int]] = [:]
        for (i, inst) in instructions.enumerated() { for o in Set(inst.operands) { users[o, default: []].append(i) } }
        return users
    }

    /// A fusion body taking arguments of these types (inputs `arg0`, `arg1`, ... with role
    /// `argument`) and returning what `build` returns, ready for `Op.fusion(kind:body:)`.
    public static func fusionBody(arguments: [TensorType],
                                  _ build: (inout Graph, [ValueID]) -> ValueID) -> Graph {
        var body = Graph()
        let args = arguments.enumerated().map { body.input("arg\($0.offset)", $0.element, role: .argument) }
        let result = build(&body, args)
        body.outputs = [GraphOutput(name: "result", value: result)]
        return body
    }
}
