import ConvnetSupport
import ConvnetSyntax

/// "More than 800K parameters... overfits dramatically" on 3670 images: a budget of parameters
/// per training image.
public struct ParamBudgetRule: LintRule {
    public static let id = "param-budget"
    public static let defaultSeverity = Severity.warning
    public static let summary = "more parameters than the budget per training image (default 100)"

    public init() {}

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        guard let images = context.trainingImages, images > 0 else { return [] }
        let budget = CheckedSize.saturatingProduct(images, t.paramsPerImage)
        guard model.totalParams > budget else { return [] }
        // Point at the layer holding the most parameters: that is where the fix goes.
        let heaviest = model.layers.max { $0.params < $1.params }!
        return [finding(
            "\(NumberFormat.grouped(model.totalParams)) parameters for \(NumberFormat.grouped(images)) training images (\(context.imagesSource)): more than \(t.paramsPerImage) per image (budget \(NumberFormat.grouped(budget))); \(heaviest.name) alone holds \(NumberFormat.grouped(heaviest.params))",
            at: heaviest.decl.keywordRange,
            help: "a model this large memorises small data sets; cut parameters (gap instead of flatten, fewer filters) or add data")]
    }
}
