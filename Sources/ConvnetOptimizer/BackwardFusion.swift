import ConvnetIR

/// Backward fusion: an activation gradient `<act>_grad(dy, y)` joins the op that produced its
/// incoming gradient dy as that op's epilogue, e.g. `fusion.conv_input_grad_relu_grad(dz, w, y)`
/// (body: the input gradient, lowered later to matmul + col2im, then the mask), so the unmasked
/// gradient is never written to memory. Producers: conv and dense input gradients, pool and
/// `mean_hw` gradients, dropout and batch-norm input gradients. Legal when dy has no other user
/// and is no output (always the case for a plain layer stack).
///
/// The bias-gradient reduction is NOT in the same fusion: a fusion has one result, and the
/// masked gradient is needed whole by the filter and input gradients of the same layer, so
/// `bias_grad` reads the fusion's result (one pass over it, which an executor can do while the
/// data is hot). Fusing the mask into each of its three consumers instead would recompute it
/// and make each read both dy and y.
public enum BackwardFusion {
    /// The graph with each fusable activation gradient joined to its producer.
    public static func run(_ graph: Graph) -> Graph {
        let users = graph.users()
        let outputs = Set(graph.outputs.map(\.value))
        let index = graph.definitionIndex()
        var groups: [(members: [Int], kind: String, attributes: Attributes)] = []
        var taken = Set<Int>()
        for (i, inst) in graph.instructions.enumerated() {
            guard case .activationGrad(let f) = inst.op else { continue }
            let dy = inst.operands[0]
            guard !outputs.contains(dy), users[dy] == [i], let p = index[dy], !taken.contains(p),
                  let producer = producerName(graph.instructions[p].op) else { continue }
            var attributes = Attributes()
            if case .conv2dInputGrad(let c) = graph.instructions[p].op {
                attributes["window"] = "\(c.kernelHeight)x\(c.kernelWidth)"
                attributes["stride"] = "\(c.stride)"
                attributes["pad"] = c.padding.rawValue
            }
            taken.formUnion([p, i])
            groups.append(([p, i], producer + "_" + f.rawValue + "_grad", attributes))
        }
        return FusionExtraction.replace(groups, in: graph)
    }

    /// The kind prefix for producers whose result can take the mask as an epilogue.
    private static func producerName(_ op: Op) -> String? {
        switch op {
        case .conv2dInputGrad: "conv_input_grad"
        case .matmul: "matmul"
        case .maxPoolGrad: "max_pool_grad"
        case .avgPoolGrad: "avg_pool_grad"
        case .spatialMeanGrad: "mean_hw_grad"
        case .dropoutGrad: "dropout_grad"
        case .batchNormGradInput: "batch_norm_grad_input"
        default: nil
        }
    }
}
