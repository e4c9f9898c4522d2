import ConvnetSupport
import ConvnetSyntax

/// "Use small filters, 3x3": a stack of n 3x3 convolutions sees (2n+1)x(2n+1) with fewer weights
/// and more non-linearities than one large kernel.
public struct LargeKernelRule: LintRule {
    public static let id = "large-kernel"
    public static let defaultSeverity = Severity.warning
    public static let summary = "a kernel larger than 3x3 after the first layer"

    public init() {}

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for layer in model.layers where layer.inputs != [.modelInput] {
            guard case .conv(let c) = layer.kind, max(c.kernelHeight, c.kernelWidth) > t.maxKernel else { continue }
            let cin = layer.inputShape.channels, f = c.filters
            let weights = c.kernelHeight * c.kernelWidth * cin * f
            // n stacked 3x3 convolutions cover a (2n+1)-wide window: Cin->F, then F->F.
            let n = (max(c.kernelHeight, c.kernelWidth) - 1 + 1) / 2
            let stacked = CheckedSize.sum(CheckedSize.saturatingProduct(9, cin, f), CheckedSize.saturatingProduct(n - 1, 9, f, f)) ?? .max
            let window = 2 * n + 1
            out.append(finding(
                "\(layer.name) uses a \(c.kernelHeight)x\(c.kernelWidth) kernel: \(NumberFormat.grouped(weights)) weights; \(n) stacked 3x3 convolutions see \(window)x\(window) with \(NumberFormat.grouped(stacked))",
                at: layer.decl.keywordRange,
                help: "replace `\(layer.kind.sourceForm)` with \(n) x `conv 3x3x\(f)` (more non-linearity, \(stacked < weights ? "fewer" : "comparable") weights)"))
        }
        return out
    }
}
