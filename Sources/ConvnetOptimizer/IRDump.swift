import ConvnetIR

/// `--dump-ir` text: the final optimized graph, or (`all`) the graph after every pass of the
/// pipeline, each headed `// ---- after <pass> ----`. `all` needs a program optimized with
/// `recordEveryPass: true`; without a log it prints only the final graph.
public enum IRDump {
    /// The dump text, ending with a newline.
    public static func dump(_ optimized: OptimizedProgram, all: Bool = false) -> String {
        let printer = Printer()
        guard all, !optimized.passLog.isEmpty else { return printer.print(optimized.graph) }
        return optimized.passLog.map { "// ---- after \($0.pass) ----\n" + printer.print($0.graph) }
            .joined(separator: "\n")
    }
}

extension OptimizedProgram {
    /// See `IRDump.dump`.
    public func dump(all: Bool = false) -> String { IRDump.dump(self, all: all) }
}
