import ConvnetIR

/// Fusion: output fusion of conv/matmul + bias + activation, backward fusion of each activation
/// gradient into the op producing its incoming gradient, then loop fusion of what is left
/// elementwise. Softmax and cross-entropy need nothing here: the builder already emits the fused
/// `softmax_xent` and `softmax_xent_grad` ops.
public enum Fusion {
    /// The graph with output, backward and loop fusions applied, in that order.
    public static func run(_ graph: Graph) -> Graph {
        LoopFusion.run(BackwardFusion.run(OutputFusion.run(graph)))
    }

    /// The pipeline step `fusion`.
    public static let pass = Pass(name: "fusion", run: run)
}
