import ConvnetIR

/// Cuts a set of instructions out of a graph into a fusion body: values defined outside the
/// set become `argument` inputs (in order of first use), scalar constants are copied into the
/// body instead (they cost nothing and keep the argument list short), and the last member's
/// result is the body's output. Shared by output fusion and loop fusion.
enum FusionExtraction {
    /// - Parameters:
    ///   - members: instructions in graph order; the last one is the fusion's result.
    ///   - definitions: every instruction of the enclosing graph by result, to find constants.
    /// - Returns: the body and the outer values to pass as operands.
    static func extract(_ members: [Instruction], definitions: [ValueID: Instruction]) -> (body: Graph, operands: [ValueID]) {
        let inside = Set(members.map(\.result))
        var body = Graph()
        var mapped: [ValueID: ValueID] = [:]
        var operands: [ValueID] = []
        for inst in members {
            for o in inst.operands where !inside.contains(o) && mapped[o] == nil {
                if let def = definitions[o], case .constant = def.op, def.type.isScalar {
                    mapped[o] = body.append(def.op, [], def.type, layer: def.layer)
                } else {
                    let type = definitions[o]!.type
                    mapped[o] = body.input("arg\(operands.count)", type, role: .argument)
                    operands.append(o)
                }
            }
        }
        for inst in members {
            mapped[inst.result] = body.append(inst.op, inst.operands.map { mapped[$0]! }, inst.type,
                                              name: inst.name, layer: inst.layer, attributes: inst.attributes)
        }
        body.outputs = [GraphOutput(name: "result", value: mapped[members.last!.result]!)]
        return (body, operands)
    }

    /// Rebuilds `graph` with each group replaced by one fusion; the fusion takes the last
    /// member's result id, so later uses need no rewriting. It is placed as early as is legal:
    /// at the first member, or just after its latest outside operand if that comes later. (An
    /// activation gradient fused into the input gradient thus runs where the input gradient
    /// ran, not after the layer's filter gradient, which keeps the live set small.)
    static func replace(_ groups: [(members: [Int], kind: FusionKind, attributes: Attributes)], in graph: Graph) -> Graph {
        var definitions: [ValueID: Instruction] = [:]
        for inst in graph.instructions { definitions[inst.result] = inst }
        let index = graph.definitionIndex()
        var removed = Set<Int>()
        var insertBefore: [Int: [Instruction]] = [:]
        for group in groups {
            let members = group.members.sorted()
            let root = graph.instructions[members.last!]
            let (body, operands) = extract(members.map { graph.instructions[$0] }, definitions: definitions)
            let latestOperand = operands.map { index[$0]! }.max() ?? -1
            let place = max(members[0], latestOperand + 1)
            insertBefore[place, default: []].append(
                Instruction(result: root.result, op: .fusion(kind: group.kind, body: body), operands: operands,
                            type: root.type, layer: root.layer, attributes: group.attributes))
            removed.formUnion(members)
        }
        var out = graph
        out.instructions = []
        for (i, inst) in graph.instructions.enumerated() {
            out.instructions += insertBefore[i] ?? []
            if !removed.contains(i) { out.instructions.append(inst) }
        }
        return out
    }
}
