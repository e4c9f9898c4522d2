import ConvnetIR

/// Merges instructions with the same op, operands, type and attributes (after earlier merges),
/// e.g. the repeated scalar constants of the optimizer update. Every op is deterministic
/// (dropout's mask is a hash of its seed operand), so merging never changes results.
public enum CommonSubexpressionElimination {
    private struct Key: Hashable {
        var op: Op
        var operands: [ValueID]
        var type: TensorType
        var attributes: Attributes
    }

    /// The graph with each repeated computation replaced by its first occurrence.
    public static func run(_ graph: Graph) -> Graph {
        var seen: [Key: ValueID] = [:]
        var replaced: [ValueID: ValueID] = [:]
        var out = graph
        out.instructions = []
        for var inst in graph.instructions {
            inst.operands = inst.operands.map { replaced[$0] ?? $0 }
            let isInput: Bool = if case .input = inst.op { true } else { false }
            if isInput || !inst.extraResults.isEmpty {  // (a multi-result fusion is never repeated)
                out.instructions.append(inst)
                continue
            }
            let key = Key(op: inst.op, operands: inst.operands, type: inst.type, attributes: inst.attributes)
            if let earlier = seen[key] {
                replaced[inst.result] = earlier
            } else {
                seen[key] = inst.result
                out.instructions.append(inst)
            }
        }
        for i in out.outputs.indices { out.outputs[i].value = replaced[out.outputs[i].value] ?? out.outputs[i].value }
        return out
    }
}
