import ConvnetIR

/// Renumbers a graph's values 0, 1, 2... in instruction order, so a lowered fusion body reads
/// top to bottom (`%0` .. `%8`) instead of keeping the ids of the ops it replaced.
enum Renumbering {
    static func run(_ graph: Graph) -> Graph {
        var mapping: [ValueID: ValueID] = [:]
        for (i, inst) in graph.instructions.enumerated() { mapping[inst.result] = ValueID(i) }
        var out = Graph(instructions: graph.instructions.map { inst in
            var copy = inst
            copy.result = mapping[inst.result]!
            copy.operands = inst.operands.map { mapping[$0] ?? $0 }
            return copy
        })
        out.outputs = graph.outputs.map { GraphOutput(name: $0.name, value: mapping[$0.value] ?? $0.value) }
        return out
    }
}
