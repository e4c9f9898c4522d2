import ConvnetSupport
import ConvnetSyntax

/// The result of the semantic pass: a checked model when there were no errors, and every
/// diagnostic found (warnings come with a model too).
public struct SemaResult: Sendable {
    public var model: CheckedModel?
    public var diagnostics: [Diagnostic]
}

/// Expands the file into the model graph (`GraphExpansion`), infers every node's shape and counts
/// parameters and multiply-accumulates exactly as Keras does, diagnosing layers that cannot apply
/// to the shapes they receive.
public enum SemanticAnalyzer {
    /// The input shape when neither the file nor `--input` gives one: the flowers codelab's.
    public static let defaultInput = TensorShape.spatial(192, 192, 3)

    /// Largest element count one example's tensor may have. Kernels index with 32-bit-safe
    /// arithmetic per example, and anything larger cannot be trained on this machine anyway.
    public static let maxElementsPerExample = Int(Int32.max)

    /// - Parameters:
    ///   - file: the parsed model.
    ///   - parseDiagnostics: the parser's diagnostics. Statements after the first parse error are
    ///     not checked, so a dropped malformed layer cannot cause follow-on shape errors.
    ///   - inputFlag: the `--input HxWxC` flag, used when the file has no `input` line.
    ///   - modelDirectory: the folder `train { data "..." }` is relative to.
    public static func analyze(_ file: ModelFile, parseDiagnostics: [Diagnostic] = [],
                               inputFlag: TensorShape? = nil,
                               modelDirectory: String? = nil) -> SemaResult {
        var diagnostics: [Diagnostic] = []
        let firstParseError = parseDiagnostics.filter { $0.severity == .error }
            .compactMap { $0.range?.start }.min()

        // The input shape and where it came from.
        var input = defaultInput
        var source = InputSource.defaultShape
        if let decl = file.input {
            input = .spatial(decl.height, decl.width, decl.channels)
            source = .file
            if let flag = inputFlag, flag != input {
                diagnostics.append(.warning(
                    "sema.input-flag-ignored",
                    "--input \(flag) is ignored: the file declares input \(input)",
                    at: decl.range, help: "remove the `input` line to take the shape from the flag"))
            }
        } else if let flag = inputFlag {
            input = flag
            source = .flag
        }
        if (input.elementCount ?? .max) > maxElementsPerExample {
            diagnostics.append(.error(
                "sema.shape-too-large",
                "the input \(input) has more than \(NumberFormat.grouped(maxElementsPerExample)) elements per image",
                at: file.input?.range, help: "use a smaller input size"))
            return SemaResult(model: nil, diagnostics: diagnostics)
        }

        // Top-level statements are checked up to the first parse error: a statement holding or
        // following a malformed one could only produce follow-on errors.
        let parseErrors = parseDiagnostics.filter { $0.severity == .error }.compactMap { $0.range?.start }
        var expansion = GraphExpansion(file: file, parseErrors: parseErrors)
        let statements = file.statements.prefix { statement in
            firstParseError.map { statement.range.end <= $0 } ?? true
        }
        _ = expansion.expand(Array(statements), from: .ok(.modelInput, input), frame: .init())
        diagnostics += expansion.diagnostics
        let layers = expansion.nodes
        let failed = expansion.diagnostics.hasErrors || expansion.stopped

        diagnostics += activationWarnings(layers)
        diagnostics += augmentationErrors(file.train, channels: input.channels)

        if !failed, !parseDiagnostics.hasErrors, layers.isEmpty, !file.statements.isEmpty {
            diagnostics.append(.error("sema.no-layers", "the model has no layers once its block calls are expanded",
                                      at: file.statements.first?.range,
                                      help: "give the blocks layers, e.g. block NAME() { conv 3x3x32 relu }"))
        }
        if failed || parseDiagnostics.hasErrors || diagnostics.hasErrors || layers.isEmpty {
            return SemaResult(model: nil, diagnostics: diagnostics)
        }
        let model = CheckedModel(file: file, inputShape: input, inputSource: source, layers: layers,
                                 train: trainSettings(file.train, modelDirectory: modelDirectory))
        return SemaResult(model: model, diagnostics: diagnostics)
    }

    /// `saturation` is defined on RGB (tf.image refuses other inputs): an error on a grey or
    /// multi-channel input rather than a setting silently ignored.
    static func augmentationErrors(_ block: TrainBlock?, channels: Int) -> [Diagnostic] {
        guard channels != 3, let block else { return [] }
        return block.augment.compactMap { spanned in
            guard case .saturation = spanned.value else { return nil }
            return .error("sema.saturation-needs-rgb",
                          "augment saturation needs an RGB input, but the input has \(channels) channel\(channels == 1 ? "" : "s")",
                          at: spanned.range, help: "remove saturation, or make the input 3 channels (e.g. input 192x192x3)")
        }
    }

    /// Softmax turns a layer's outputs into a distribution; anywhere but the head it squashes
    /// features for no reason, which Keras accepts silently.
    static func activationWarnings(_ layers: [CheckedLayer]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for layer in layers.dropLast() where layer.kind.appliedActivation == .softmax {
            out.append(.warning(
                "sema.softmax-not-last",
                "softmax on \(layer.name), which is not the last layer",
                at: layer.decl.activationRange ?? layer.decl.keywordRange,
                help: "use relu here; softmax belongs on the final `dense K softmax`"))
        }
        return out
    }

    /// The `train` block with defaults filled in and the data path made absolute-ish.
    static func trainSettings(_ block: TrainBlock?, modelDirectory: String?) -> TrainSettings {
        var s = TrainSettings()
        guard let block else { return s }
        func resolved(_ data: String) -> String {
            if data.hasPrefix("/") || data.hasPrefix("synthetic:") || modelDirectory == nil { return data }
            let dir = modelDirectory!.isEmpty ? "." : modelDirectory!
            return dir.hasSuffix("/") ? dir + data : dir + "/" + data
        }
        s.dataPath = block.data.map { resolved($0.value) }
        s.validationDataPath = block.validationData.map { resolved($0.value) }
        if let v = block.validation?.value { s.validation = v }
        if let b = block.batch?.value { s.batch = b }
        if let e = block.epochs?.value { s.epochs = e }
        if let o = block.optimizer?.value { s.optimizer = o }
        if let sch = block.schedule?.value { s.schedule = sch }
        if let seed = block.seed?.value { s.seed = seed }
        s.augment = block.augment.map(\.value)
        if let smoothing = block.labelSmoothing?.value { s.labelSmoothing = smoothing }
        return s
    }
}
