import ConvnetIR

/// Simplify: trivial reshapes, then common subexpressions, then dead code (which removes what
/// the first two left unused).
public enum Simplify {
    public static func run(_ graph: Graph) -> Graph {
        DeadCodeElimination.run(CommonSubexpressionElimination.run(TrivialReshapes.run(graph)))
    }

    public static let pass = Pass(name: "simplify", run: run)
}
