import ConvnetSyntax

/// Checks a graph's invariants and reports each violation as an error `Diagnostic` (no source
/// range: IR has none) whose message quotes the offending instruction:
///
/// - every value is defined once (`ir.double-definition`) and before it is used
///   (`ir.use-before-definition`, `ir.undefined-value`);
/// - every instruction's type is what its op's rule gives for its operands (`ir.type-mismatch`,
///   `ir.bad-operands`); fusion bodies are verified recursively;
/// - inputs have distinct names (`ir.duplicate-input`);
/// - every output names a defined value (`ir.undefined-output`) under its own name
///   (`ir.duplicate-output`).
///
/// Run it after building and after every pass.
public enum Verifier {
    /// All violations, in instruction order; empty when the graph is well formed.
    public static func verify(_ graph: Graph) -> [Diagnostic] {
        var errors: [Diagnostic] = []
        let printer = Printer(showLayers: false)
        var defined: [ValueID: TensorType] = [:]
        var inputNames: Set<String> = []
        let allDefs = Set(graph.instructions.map(\.result))
        for inst in graph.instructions {
            let text = printer.line(inst, in: graph)
            func fail(_ id: String, _ message: String) {
                errors.append(.error("ir." + id, message + ": `\(text)`", at: nil))
            }
            var operandTypes: [TensorType] = []
            var operandsOK = true
            for o in inst.operands {
                if let t = defined[o] {
                    operandTypes.append(t)
                } else {
                    operandsOK = false
                    if allDefs.contains(o) { fail("use-before-definition", "\(o) is used before it is defined") }
                    else { fail("undefined-value", "\(o) is never defined") }
                }
            }
            if defined[inst.result] != nil {
                fail("double-definition", "\(inst.result) is defined twice")
            }
            if case .input = inst.op {
                if let name = inst.name {
                    if !inputNames.insert(name).inserted { fail("duplicate-input", "two inputs are named \(name)") }
                } else {
                    fail("unnamed-input", "an input has no name")
                }
            }
            if operandsOK {
                do {
                    let expected = try ShapeRules.resultType(of: inst.op, operands: operandTypes, declared: inst.type)
                    if expected != inst.type {
                        fail("type-mismatch", "\(inst.op.mnemonic) gives \(expected) but the instruction says \(inst.type)")
                    }
                } catch {
                    fail("bad-operands", error.message)
                }
            }
            if case .fusion(let kind, let body) = inst.op {
                for e in verify(body) {
                    errors.append(.error(e.id, "in fusion.\(kind) body: " + e.message, at: nil))
                }
            }
            defined[inst.result] = inst.type
        }
        var outputNames: Set<String> = []
        for out in graph.outputs {
            if defined[out.value] == nil {
                errors.append(.error("ir.undefined-output", "output \(out.name) names undefined value \(out.value)", at: nil))
            }
            if !outputNames.insert(out.name).inserted {
                errors.append(.error("ir.duplicate-output", "two outputs are named \(out.name)", at: nil))
            }
        }
        return errors
    }
}
