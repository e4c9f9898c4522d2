import ConvnetIR

/// `--dump-ir` text: the final optimized graph, or (`all`) the graph after every pass of the
/// pipeline, each headed `// ---- after <pass> ----`. `all` needs a program optimized with
/// `recordEveryPass: true`; without a log it prints only the final graph.
public enum IRDump {
    /// The dump text, ending with a newline.
    public static func dump(_ optimized: OptimizedProgram, all: Bool = false) -> String {
        let printer = Printer()
        let placement = concatPlacement(optimized.graph, optimized.buffers)
        guard all, !optimized.passLog.isEmpty else { return printer.print(optimized.graph) + placement }
        return optimized.passLog.map { "// ---- after \($0.pass) ----\n" + printer.print($0.graph) }
            .joined(separator: "\n") + placement
    }

    /// On a target that places concats in place (`BufferAssignment.placesChannelViews`), one
    /// comment line per concat and per channel slice saying which operands are written into the
    /// concat's buffer and which are copied, and which slices are read in place; else nothing.
    static func concatPlacement(_ graph: Graph, _ buffers: BufferAssignment) -> String {
        guard buffers.placesChannelViews else { return "" }
        var lines: [String] = []
        for inst in graph.instructions {
            if case .concat = inst.op {
                let parts = inst.operands.map { v in
                    buffers.channelViews[v].map { "\(v) in place (channels \($0.channelStart)..<\($0.channelStart + (graph.type(of: v)?.shape.last ?? 0)))" }
                        ?? "\(v) copied"
                }
                lines.append("//   \(inst.result) = concat: " + parts.joined(separator: ", "))
            } else if case .channelSlice = inst.op {
                let how = buffers.channelViews[inst.result] == nil ? "copied" : "read in place"
                lines.append("//   \(inst.result) = channel_slice of \(inst.operands[0]): \(how)")
            }
        }
        guard !lines.isEmpty else { return "" }
        return "// concat without copies (operands written into the concat's buffer, slices read in place):\n"
            + lines.joined(separator: "\n") + "\n"
    }
}

extension OptimizedProgram {
    /// See `IRDump.dump`.
    public func dump(all: Bool = false) -> String { IRDump.dump(self, all: all) }
}
