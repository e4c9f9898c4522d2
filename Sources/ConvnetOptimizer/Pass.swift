import ConvnetIR

/// One named graph-to-graph rewrite. Passes are pure functions so a pipeline is just a list,
/// and a dump can show the graph after each one (`--dump-ir=all`).
public struct Pass: Sendable {
    /// Printed in dumps: `// ---- after simplify ----`.
    public var name: String
    /// The rewrite. It must return a graph that passes `Verifier.verify`.
    public var run: @Sendable (Graph) -> Graph

    /// A pass named `name` running `run`.
    public init(name: String, run: @escaping @Sendable (Graph) -> Graph) {
        self.name = name
        self.run = run
    }
}
