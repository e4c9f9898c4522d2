import ConvnetIR

/// Loop fusion: a tree of elementwise ops (`Op.isElementwise`) whose inner values each feed
/// exactly one other op of the tree (and are not graph outputs) becomes one `fusion.loop`, so an
/// executor makes one pass over memory. Each Adam parameter update becomes three: the new `m`,
/// the new `v` (both are outputs, so they end a tree) and the new weight. A lone op stays as is.
///
/// Backward activation gradients (`relu_grad(dy, y)`) are elementwise and join such trees when
/// their neighbours are elementwise (the sum of two adjoints); they are not fused into the
/// following `bias_grad`, because a fusion has one result and the masked gradient is also read
/// by the filter and input gradients: fusing it into each consumer would recompute it.
public enum LoopFusion {
    /// The graph with each elementwise tree of two or more ops replaced by one `fusion.loop`.
    public static func run(_ graph: Graph) -> Graph {
        let users = graph.users()
        let outputs = Set(graph.outputs.map(\.value))
        let n = graph.instructions.count
        var root = Array(0..<n)
        for i in (0..<n).reversed() {
            let inst = graph.instructions[i]
            guard inst.op.isElementwise, !outputs.contains(inst.result),
                  let u = users[inst.result], u.count == 1, graph.instructions[u[0]].op.isElementwise else { continue }
            root[i] = root[u[0]]
        }
        var members: [Int: [Int]] = [:]
        for i in 0..<n where graph.instructions[i].op.isElementwise { members[root[i], default: []].append(i) }
        let groups = members.keys.sorted().compactMap { r -> (members: [Int], kind: FusionKind, attributes: Attributes)? in
            let m = members[r]!
            return m.count >= 2 ? (m, .loop, Attributes()) : nil
        }
        return FusionExtraction.replace(groups, in: graph)
    }
}
