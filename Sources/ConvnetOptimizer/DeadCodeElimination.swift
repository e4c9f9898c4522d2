import ConvnetIR

/// Removes instructions whose results no output depends on; inputs are always kept because
/// the trainer feeds them by name.
public enum DeadCodeElimination {
    /// The graph without its dead instructions, order kept.
    public static func run(_ graph: Graph) -> Graph {
        var live = Set(graph.outputs.map(\.value))
        var keep = [Bool](repeating: false, count: graph.instructions.count)
        for (i, inst) in graph.instructions.enumerated().reversed() {
            let isInput: Bool = if case .input = inst.op { true } else { false }
            if isInput || inst.definitions.contains(where: { live.contains($0.value) }) {
                keep[i] = true
                live.formUnion(inst.operands)
            }
        }
        var out = graph
        out.instructions = graph.instructions.indices.filter { keep[$0] }.map { graph.instructions[$0] }
        return out
    }
}
