import ConvnetSyntax

/// "5 to 10 layers make sense": very shallow models underfit, very deep plain stacks are hard to
/// train without residual connections (a model with an `add` or `residual` is not a plain stack).
public struct DepthRule: LintRule {
    public static let id = "depth"
    public static let defaultSeverity = Severity.note
    public static let summary = "fewer than 3 or more than 20 weight layers"

    public init() {}

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        let weighted = model.layers.filter(\.kind.hasWeightsMatrix)
        let hasShortcuts = model.layers.contains { if case .add = $0.kind { true } else { false } }
        guard weighted.count < t.minDepth || (weighted.count > t.maxDepth && !hasShortcuts) else { return [] }
        let few = weighted.count < t.minDepth
        let at = (few ? weighted.first : weighted[t.maxDepth])?.decl.keywordRange ?? model.layers[0].decl.keywordRange
        return [finding(
            "\(weighted.count) weight layers (convolutions and dense): \(few ? "fewer than \(t.minDepth)" : "more than \(t.maxDepth)")",
            at: at,
            help: few ? "a convnet learns from a stack: 5 to 10 layers make sense for this data"
                      : "plain stacks this deep are hard to train; remove layers or downsample sooner")]
    }
}
