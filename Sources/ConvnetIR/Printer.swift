/// Text form of a graph, one instruction per line, in the style of XLA's HLO dumps:
///
///     %conv2d_1.kernel = parameter : f32[3,3,16,32]
///     %12 = conv2d(%3, %conv2d_1.kernel) window=3x3 stride=1 pad=same : f32[32,96,96,32]  # conv2d_1
///     return loss=%40, correct=%41
///
/// Inputs print under their names (with `/` written `.`), other values by number. Fusion
/// bodies print indented between braces after their instruction; a multi-result fusion prints
/// `%7, %8 = fusion.conv_bias_relu_max_pool(...) ... : f32[...], f32[...]`, and the kernel
/// decisions (`kernel=winograd`) after the op's own attributes.
public struct Printer: Sendable {
    /// Append `# layer` to instructions that belong to a model layer.
    public var showLayers: Bool

    public init(showLayers: Bool = true) { self.showLayers = showLayers }

    /// The whole graph, ending with a newline.
    public func print(_ graph: Graph) -> String {
        var out = ""
        write(graph, indent: "", into: &out)
        return out
    }

    /// One instruction on one line (no body), as it appears in `print`, given the graph that
    /// names its operands.
    public func line(_ inst: Instruction, in graph: Graph) -> String {
        line(inst, names: Printer.valueNames(graph))
    }

    /// How each value is spelled: `%name` for named inputs, `%N` otherwise.
    public static func valueNames(_ graph: Graph) -> [ValueID: String] {
        var names: [ValueID: String] = [:]
        for inst in graph.instructions {
            if case .input = inst.op, let n = inst.name {
                names[inst.result] = "%" + String(n.map { $0 == "/" ? "." : $0 })
            } else {
                for d in inst.definitions { names[d.value] = d.value.description }
            }
        }
        return names
    }

    private func write(_ graph: Graph, indent: String, into out: inout String) {
        let names = Printer.valueNames(graph)
        for inst in graph.instructions {
            out += indent + line(inst, names: names)
            if case .fusion(_, let body) = inst.op {
                out += " {\n"
                write(body, indent: indent + "  ", into: &out)
                out += indent + "}"
            }
            out += "\n"
        }
        let rets = graph.outputs.map { "\($0.name)=\(names[$0.value] ?? $0.value.description)" }
        out += indent + "return " + rets.joined(separator: ", ") + "\n"
    }

    public func line(_ inst: Instruction, names: [ValueID: String]) -> String {
        let lhs = inst.definitions.map { names[$0.value] ?? $0.value.description }.joined(separator: ", ")
        var s = lhs + " = " + inst.op.mnemonic
        if !inst.operands.isEmpty || !isDeclaration(inst.op) {
            s += "(" + inst.operands.map { names[$0] ?? $0.description }.joined(separator: ", ") + ")"
        }
        let attrs = [inst.op.printedAttributes, inst.kernel?.printed ?? "", inst.attributes.printed].filter { !$0.isEmpty }
        if !attrs.isEmpty { s += " " + attrs.joined(separator: " ") }
        s += " : " + inst.definitions.map { "\($0.type)" }.joined(separator: ", ")
        if showLayers, let layer = inst.layer { s += "  # \(layer)" }
        return s
    }

    private func isDeclaration(_ op: Op) -> Bool {
        if case .input = op { return true }
        if case .constant = op { return true }
        return false
    }
}

extension Graph: CustomStringConvertible {
    public var description: String { Printer().print(self) }
}
