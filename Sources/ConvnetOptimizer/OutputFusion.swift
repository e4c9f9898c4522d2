import ConvnetIR

/// Output fusion: `conv2d` or `matmul`, then `bias_add`, then relu/sigmoid/tanh (or nothing)
/// become one `fusion.conv_bias_<act>` / `fusion.matmul_bias_<act>` (`conv_bias`, `matmul_bias`
/// when linear).
///
/// Legal only when each intermediate value has exactly one user and is not a graph output. In a
/// training step that holds for every layer: autodiff writes each activation's gradient as
/// `<act>_grad(dy, y)` from the activation's OUTPUT y (relu: y > 0; sigmoid: y(1-y);
/// tanh: 1-y^2), the bias gradient reads only dy, and the conv's filter gradient reads the conv's
/// input, so neither the conv output nor the pre-activation is ever read by the backward pass and
/// no rewrite is needed. A fused conv's kind carries its window, printed `window= stride= pad=`
/// so the dump reads like the unfused op.
public enum OutputFusion {
    /// The graph with each legal conv/matmul + bias (+ activation) chain fused.
    public static func run(_ graph: Graph) -> Graph {
        let users = graph.users()
        let outputs = Set(graph.outputs.map(\.value))
        /// The single instruction reading `v`, if `v` has exactly one user and is no output.
        func onlyUser(_ v: ValueID) -> Int? {
            guard !outputs.contains(v), let u = users[v], u.count == 1 else { return nil }
            return u[0]
        }
        var groups: [(members: [Int], kind: FusionKind, attributes: Attributes)] = []
        for (i, inst) in graph.instructions.enumerated() {
            let conv: ConvAttributes?
            if case .conv2d(let c) = inst.op {
                conv = c
            } else if case .matmul = inst.op {
                conv = nil
            } else {
                continue
            }
            guard let b = onlyUser(inst.result), case .biasAdd = graph.instructions[b].op,
                  graph.instructions[b].operands[0] == inst.result else { continue }
            var members = [i, b]
            var activation: ActivationFunction?
            if let a = onlyUser(graph.instructions[b].result), case .activation(let f) = graph.instructions[a].op {
                members.append(a)
                activation = f
            }
            let kind: FusionKind = if let conv {
                .conv(conv, bias: true, activation: activation, pool: nil)
            } else {
                .matmulBias(activation: activation)
            }
            groups.append((members, kind, Attributes()))
        }
        return FusionExtraction.replace(groups, in: graph)
    }
}
