import ConvnetIR

/// Removes reshapes to the operand's own shape and folds a reshape of a reshape into one
/// reshape of the original value (row-major reshapes compose).
public enum TrivialReshapes {
    /// The graph without identity reshapes and with reshape chains collapsed.
    public static func run(_ graph: Graph) -> Graph {
        var replaced: [ValueID: ValueID] = [:]
        var defs: [ValueID: Instruction] = [:]
        var out = graph
        out.instructions = []
        for var inst in graph.instructions {
            inst.operands = inst.operands.map { replaced[$0] ?? $0 }
            if case .reshape = inst.op {
                var source = inst.operands[0]
                if let inner = defs[source], case .reshape = inner.op { source = inner.operands[0] }
                if defs[source]?.type == inst.type {
                    replaced[inst.result] = source
                    continue
                }
                inst.operands[0] = source
            }
            defs[inst.result] = inst
            out.instructions.append(inst)
        }
        for i in out.outputs.indices { out.outputs[i].value = replaced[out.outputs[i].value] ?? out.outputs[i].value }
        return out
    }
}
