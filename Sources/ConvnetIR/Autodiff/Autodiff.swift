/// Why a gradient could not be built.
public struct AutodiffError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Reverse-mode automatic differentiation as a graph transform: walks the instructions between
/// the inputs of interest and the loss backwards, appends each op's vector-Jacobian product
/// (`VJP.rule`), and sums adjoints where a value has several uses. Model builders never write
/// a backward pass by hand.
public enum Autodiff {
    /// Appends to `graph` the gradient of the scalar `loss` with respect to each of `wrt`, and
    /// returns the gradient values in the same order. A value the loss does not depend on gets
    /// a zero gradient. Backward instructions carry the layer of the forward instruction they
    /// differentiate.
    public static func gradients(of loss: ValueID, wrt: [ValueID], in graph: inout Graph) throws -> [ValueID] {
        let forward = graph.instructions
        guard let lossType = graph.type(of: loss), lossType == .scalar else {
            throw AutodiffError("the loss \(loss) must be an f32 scalar")
        }
        // Values that depend on some `wrt` value, in definition order.
        var varying = Set(wrt)
        for inst in forward where inst.operands.contains(where: varying.contains) { varying.insert(inst.result) }
        // Values the loss depends on.
        var needed: Set<ValueID> = [loss]
        for inst in forward.reversed() where needed.contains(inst.result) {
            needed.formUnion(inst.operands)
        }
        let active = varying.intersection(needed)

        var adjoint: [ValueID: ValueID] = [loss: graph.constant(1)]
        for inst in forward.reversed() {
            guard active.contains(inst.result), let dy = adjoint[inst.result] else { continue }
            if case .input = inst.op { continue }
            let wanted = inst.operands.map { active.contains($0) }
            guard wanted.contains(true) else { continue }
            let grads = try VJP.rule(for: inst, dy: dy, wanted: wanted, in: &graph)
            for (i, operand) in inst.operands.enumerated() where wanted[i] {
                guard let g = grads[i] else {
                    throw AutodiffError("\(inst.op.mnemonic) has no gradient with respect to operand \(i)")
                }
                if let previous = adjoint[operand] {
                    adjoint[operand] = graph.add(previous, g, layer: inst.layer)
                } else {
                    adjoint[operand] = g
                }
            }
        }
        return wrt.map { v in
            if let g = adjoint[v] { return g }
            let zero = graph.constant(0)
            let t = graph.typeOf(v)
            return t.isScalar ? zero : graph.emit(.broadcast, [zero], declared: t)
        }
    }
}
