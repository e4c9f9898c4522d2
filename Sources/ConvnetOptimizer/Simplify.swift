import ConvnetIR

/// Simplify: trivial reshapes, then common subexpressions, then dead code (which removes what
/// the first two left unused).
public enum Simplify {
    /// The simplified graph.
    public static func run(_ graph: Graph) -> Graph {
        DeadCodeElimination.run(CommonSubexpressionElimination.run(TrivialReshapes.run(graph)))
    }

    /// The pipeline step `simplify`.
    public static let pass = Pass(name: "simplify", run: run)
}
