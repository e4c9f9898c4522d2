import ConvnetSupport
import ConvnetSyntax

/// Training keeps every layer's output (and the input) for the backward pass; at a large batch
/// and resolution that alone can exceed the machine's memory.
public struct ActivationMemoryRule: LintRule {
    public static let id = "activation-memory"
    public static let defaultSeverity = Severity.warning
    public static let summary = "activations kept for training at the configured batch exceed the memory budget"

    public init() {}

    /// Bytes of fp32 activations one training step keeps: the input and every layer's output.
    public static func trainingActivationBytes(_ model: CheckedModel, batch: Int) -> Int {
        let perImage = (model.inputShape.elementCount ?? 0) * 4 + model.totalActivationBytes
        return perImage.multipliedReportingOverflow(by: batch).overflow ? .max : perImage * batch
    }

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        let batch = model.train.batch
        let bytes = Self.trainingActivationBytes(model, batch: batch)
        let budget = Int(Double(context.machineMemoryBytes) * t.activationMemoryShare)
        guard bytes > budget else { return [] }
        let biggest = model.layers.max { $0.activationBytes < $1.activationBytes }!
        let fitting = max(1, budget / max(bytes / max(batch, 1), 1))
        return [finding(
            "training at batch \(batch) keeps \(NumberFormat.bytes(bytes)) of activations, over the budget of \(NumberFormat.bytes(budget)) (\(NumberFormat.percent(t.activationMemoryShare, decimals: 0)) of \(NumberFormat.bytes(context.machineMemoryBytes)) RAM); \(biggest.name) alone keeps \(NumberFormat.bytes(CheckedSize.saturatingProduct(biggest.activationBytes, batch)))",
            at: model.file.train?.batch?.range ?? biggest.decl.keywordRange,
            help: "use a batch of at most \(fitting), or downsample earlier")]
    }
}
