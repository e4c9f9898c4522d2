import ConvnetSyntax

/// "5 to 10 layers make sense": very shallow models underfit, very deep plain stacks are hard to
/// train without residual connections (which the language does not have).
public struct DepthRule: LintRule {
    public static let id = "depth"
    public static let defaultSeverity = Severity.note
    public static let summary = "fewer than 3 or more than 20 weight layers"

    public init() {}

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        let weighted = model.layers.filter {
            if case .conv = $0.kind { return true }
            if case .dense = $0.kind { return true }
            return false
        }
        guard weighted.count < t.minDepth || weighted.count > t.maxDepth else { return [] }
        let few = weighted.count < t.minDepth
        let at = (few ? weighted.first : weighted[t.maxDepth])?.decl.keywordRange ?? model.layers[0].decl.keywordRange
        return [finding(
            "\(weighted.count) weight layers (conv and dense): \(few ? "fewer than \(t.minDepth)" : "more than \(t.maxDepth)")",
            at: at,
            help: few ? "a convnet learns from a stack: 5 to 10 layers make sense for this data"
                      : "plain stacks this deep are hard to train; remove layers or downsample sooner")]
    }
}
