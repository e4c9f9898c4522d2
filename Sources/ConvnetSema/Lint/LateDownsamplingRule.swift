import ConvnetSupport
import ConvnetSyntax

/// "Downsample frequently": convolutions at full resolution cost the most MACs and see the least
/// context; a head that starts at high resolution means the body never summarised the image.
public struct LateDownsamplingRule: LintRule {
    public static let id = "late-downsampling"
    public static let defaultSeverity = Severity.warning
    public static let summary = "too many convolutions at full resolution, or a head that starts at high resolution"

    public init() {}

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let input = model.inputShape
        let totalMACs = Double(max(model.totalMACs, 1))

        let fullRes = model.layers.filter {
            $0.kind.hasWeightsMatrix && $0.outputShape.rank == 3
                && $0.outputShape.height == input.height && $0.outputShape.width == input.width
        }
        if fullRes.count > t.maxFullResolutionConvs {
            let macs = fullRes.reduce(0) { $0 + $1.macs }
            let extra = fullRes[t.maxFullResolutionConvs]
            out.append(finding(
                "\(fullRes.count) convolutions run at the input's full \(input.height)x\(input.width) resolution (\(fullRes.map(\.name).joined(separator: ", "))): \(NumberFormat.percent(Double(macs) / totalMACs)) of the model's MACs",
                at: extra.decl.keywordRange,
                help: "downsample (maxpool 2 or stride 2) after at most \(t.maxFullResolutionConvs) convolutions"))
        }

        if let head = model.layers.first(where: { $0.inputShape.rank == 3 && $0.outputShape.rank == 1 }) {
            let side = max(Double(head.inputShape.height) / Double(input.height),
                           Double(head.inputShape.width) / Double(input.width))
            if side > t.maxHeadResolution {
                let headMACs = model.layers[head.index...].reduce(0) { $0 + $1.macs }
                out.append(finding(
                    "the head starts at \(head.inputShape) (\(head.name)), \(NumberFormat.percent(side, decimals: 0)) of the input's side; the head costs \(NumberFormat.percent(Double(headMACs) / totalMACs)) of the MACs",
                    at: head.decl.keywordRange,
                    help: "pool down to at most \(NumberFormat.percent(t.maxHeadResolution, decimals: 0)) of the input's side (e.g. \(Int(Double(input.height) * t.maxHeadResolution))x\(Int(Double(input.width) * t.maxHeadResolution))) before `\(head.kind.keyword)`"))
            }
        }
        return out
    }
}
