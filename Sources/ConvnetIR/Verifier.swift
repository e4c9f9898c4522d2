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
///   (`ir.duplicate-output`);
/// - a multi-result fusion's results match its body's outputs (`ir.result-count`);
/// - kernel decisions fit what they decide (`ir.plan`, see `PlanRules`): Winograd only on a
///   3x3 stride-1 window, a pool-in-convolution pooling that convolution's own result, ...;
///   with `planned`, also that every convolution has one (`Verifier.verifyPlanned`).
///
/// The optimizer runs it after every pass, in every build: a violation is a compile error.
public enum Verifier {
    /// All violations, in instruction order; empty when the graph is well formed.
    public static func verify(_ graph: Graph) -> [Diagnostic] {
        var errors: [Diagnostic] = []
        let printer = Printer(showLayers: false)
        var defined: [ValueID: TensorType] = [:]
        var inputNames: Set<String> = []
        let allDefs = Set(graph.instructions.flatMap { $0.definitions.map(\.value) })
        // The value names are computed once, and an instruction is printed only when it fails:
        // the verifier runs after every pass, so it must stay linear in the graph's size.
        let names = Printer.valueNames(graph)
        for inst in graph.instructions {
            func fail(_ id: String, _ message: String) {
                errors.append(.error("ir." + id, message + ": `\(printer.line(inst, names: names))`", at: nil))
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
            for d in inst.definitions where defined[d.value] != nil {
                fail("double-definition", "\(d.value) is defined twice")
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
                    errors.append(.error(e.id, "in fusion.\(kind.name) body: " + e.message, at: nil))
                }
                let bodyTypes = body.outputs.map { body.type(of: $0.value) }
                if bodyTypes.count == inst.definitions.count {
                    for (d, t) in zip(inst.definitions, bodyTypes).dropFirst() where t != d.type {
                        fail("type-mismatch", "result \(d.value) is \(d.type) but the body's output is \(t.map { "\($0)" } ?? "undefined")")
                    }
                } else {
                    fail("result-count", "fusion.\(kind.name) defines \(inst.definitions.count) value(s) but its body has \(body.outputs.count) output(s)")
                }
            } else if !inst.extraResults.isEmpty {
                fail("result-count", "only a fusion can define more than one value")
            }
            for message in PlanRules.violations(inst, operandTypes: operandsOK ? operandTypes : nil) {
                fail("plan", message)
            }
            for d in inst.definitions { defined[d.value] = d.type }
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

extension Verifier {
    /// `verify`, and every convolution has its kernel decided (`PlanRules.unplanned`): what a
    /// backend is given after the optimizer's kernel selection.
    public static func verifyPlanned(_ graph: Graph) -> [Diagnostic] {
        verify(graph) + PlanRules.unplanned(graph).map { .error("ir.unplanned", $0, at: nil) }
    }
}
