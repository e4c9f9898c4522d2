import ConvnetSupport
import ConvnetSyntax

/// The classifier head: the last layer must turn features into class probabilities for as many
/// classes as the data has, and nothing before it should.
public struct HeadRule: LintRule {
    public static let id = "head"
    public static let defaultSeverity = Severity.warning
    public static let summary = "the head is not `dense K softmax|sigmoid` for K classes; softmax early; two linear layers in a row"

    public init() {}

    public func check(_ model: CheckedModel, _ context: LintContext, _ t: LintThresholds) -> [Diagnostic] {
        var out: [Diagnostic] = []
        guard let last = model.layers.last else { return out }

        if case .dense(let d) = last.kind, d.activation == .softmax || d.activation == .sigmoid {
            if let classes = context.classCount, classes != d.units {
                out.append(finding(
                    "the head predicts \(d.units) classes but the data has \(classes) class folders",
                    at: last.decl.keywordRange,
                    help: "write `dense \(classes) \(d.activation.rawValue)`", severity: .error))
            }
        } else {
            let k = context.classCount ?? last.outputShape.channels
            out.append(finding(
                "the last layer is `\(last.kind.sourceForm)`, not a classifier head `dense K softmax`",
                at: last.decl.keywordRange,
                help: last.outputShape.rank == 1 ? "end the model with `dense \(k) softmax`" : "end the model with `gap` then `dense \(k) softmax`"))
        }

        for layer in model.layers.dropLast() where layer.kind.appliedActivation == .softmax {
            out.append(finding(
                "softmax on \(layer.name), which is not the last layer",
                at: layer.decl.activationRange ?? layer.decl.keywordRange,
                help: "use relu here; softmax belongs on the final `dense K softmax`"))
        }

        // A linear layer followed, through linear reshapes only, by another weight layer: two
        // affine maps compose into one, so the first adds weights but no expressive power. The
        // walk follows the graph while each node has a single reader (a fork or a merge ends it).
        let consumers = model.consumers
        for layer in model.layers where layer.kind.hasWeightsMatrix && layer.kind.appliedActivation == .linear {
            var j = layer.index
            while consumers[j].count == 1 {
                let next = model.layers[consumers[j][0]]
                switch next.kind.info.algebra {
                case .linear: j = next.index; continue
                case .affine:
                    out.append(finding(
                        "\(layer.name) (`\(layer.kind.sourceForm)`) has no activation and feeds \(next.name): two linear layers in a row collapse into one",
                        at: layer.decl.keywordRange,
                        help: "add an activation, e.g. `\(layer.kind.sourceForm) relu`"))
                case .nonlinear, .normalization, .merge: break
                }
                break
            }
        }
        return out
    }
}
