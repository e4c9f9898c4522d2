import ConvnetSupport
import ConvnetSyntax

/// Running totals of a model's parameters and MACs, checked as layers are added: a total past
/// `CheckedSize.countLimit` is an error at the layer that crosses it, so every figure computed
/// from a checked model later (summary totals, lint budgets, IR sizes) stays far from overflow.
struct ModelTotals {
    private(set) var params = 0
    private(set) var macs = 0

    /// Adds one layer's counts; a diagnostic at `decl` when a total becomes too large to count.
    mutating func add(params p: Int, macs m: Int, layer name: String, decl: LayerDecl) -> Diagnostic? {
        let newParams = CheckedSize.sum(params, p), newMACs = CheckedSize.sum(macs, m)
        if newParams == nil || newParams! > CheckedSize.countLimit {
            return .error("sema.size-overflow",
                          "this model needs \(CheckedSize.scientific(Double(params) + Double(p))) parameters once \(name) (`\(decl.kind.sourceForm)`) is added: more than convnetc counts (\(CheckedSize.scientific(Double(CheckedSize.countLimit))))",
                          at: decl.keywordRange, help: "use fewer units or filters, or a smaller input before this layer")
        }
        if newMACs == nil || newMACs! > CheckedSize.countLimit {
            return .error("sema.size-overflow",
                          "this model needs \(CheckedSize.scientific(Double(macs) + Double(m))) multiply-accumulates per image once \(name) (`\(decl.kind.sourceForm)`) is added: more than convnetc counts (\(CheckedSize.scientific(Double(CheckedSize.countLimit))))",
                          at: decl.keywordRange, help: "use smaller kernels, fewer filters, or downsample earlier")
        }
        params = newParams!
        macs = newMACs!
        return nil
    }
}

extension CheckedModel {
    /// Why `batch` is too large for any program of this model to be sized (nil when it is not):
    /// every tensor, byte total and FLOP count of the training step at that batch must fit in an
    /// `Int` with room to spare. Checked where a batch is chosen (`--batch`, the train block),
    /// before any program is built.
    public func batchProblem(_ batch: Int) -> String? {
        guard batch >= 1 else { return "the batch must be at least 1, got \(batch)" }
        // Per image: the training step's FLOPs (6 per MAC), every value it keeps (activations,
        // their gradients and the lowered convolutions' columns, within 64 values of each).
        var perImage = 6 * Double(totalMACs)
        for layer in layers {
            var columns = Double(layer.outputShape.elementCount ?? 0)
            if case .conv(let c) = layer.kind {
                columns = Double(layer.outputShape.height * layer.outputShape.width)
                    * Double(c.kernelHeight * c.kernelWidth) * Double(layer.inputShape.channels)
            }
            perImage = max(perImage, 64 * 4 * max(columns, Double(layer.outputShape.elementCount ?? 0)))
        }
        let total = perImage * Double(batch)
        let limit = Double(Int.max / 16)
        guard total > limit else { return nil }
        let largest = max(1, Int(limit / max(perImage, 1)))
        return "batch \(batch) would make the training step's sizes reach \(CheckedSize.scientific(total)), more than can be counted; "
            + "this model's batch can be at most \(largest)"
    }
}
