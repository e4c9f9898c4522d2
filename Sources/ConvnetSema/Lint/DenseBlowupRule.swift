import ConvnetSupport
import ConvnetSyntax

/// "The final dense layer(s) is/are expensive... a 24x24x10 cube into a 100-neuron dense layer
/// costs 576,000 weights" (the codelab). Fires when a dense layer fed by `flatten` holds most of
/// the model's parameters.
public struct DenseBlowupRule: LintRule {
    public static let id = "dense-blowup"
    public static let defaultSeverity = Severity.warning
    public static let summary = "a dense layer fed by flatten holds most of the model's parameters"

    public init() {}

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        let total = model.totalParams
        var out: [Diagnostic] = []
        for layer in model.layers {
            guard case .dense = layer.kind, let source = feedingFlatten(layer, in: model) else { continue }
            let share = Double(layer.params) / Double(max(total, 1))
            guard share > t.denseShare, layer.params > t.denseMinParams else { continue }
            out.append(finding(
                "\(layer.name) (\(layer.kind.sourceForm)) takes \(NumberFormat.grouped(layer.params)) weights from a \(source.inputShape) flatten: \(NumberFormat.percent(share, decimals: 0)) of the model's \(NumberFormat.grouped(total)) parameters",
                at: layer.decl.keywordRange,
                help: "shrink the cube first (more pooling or fewer filters before `flatten`), or replace `flatten` with `gap`, which has no weights and leaves `\(layer.kind.sourceForm)` \(NumberFormat.grouped(source.inputShape.channels * layerUnits(layer) + layerUnits(layer))) instead of \(NumberFormat.grouped(layer.params))"))
        }
        return out
    }

    /// The `flatten` feeding this layer, looking back through dropout along the graph's inputs.
    private func feedingFlatten(_ layer: CheckedLayer, in model: CheckedModel) -> CheckedLayer? {
        var input = layer.inputs[0]
        while case .layer(let i) = input {
            let source = model.layers[i]
            if case .flatten = source.kind { return source }
            guard case .dropout = source.kind else { return nil }
            input = source.inputs[0]
        }
        return nil
    }

    private func layerUnits(_ layer: CheckedLayer) -> Int { layer.outputShape.channels }
}
