import ConvnetSyntax

/// Runs the lint rules over a checked model and applies the user's choices: rules disabled on the
/// command line or with `# lint: disable=ID` on a layer's line, and `--strict`.
public struct Linter: Sendable {
    /// Every rule, in the order of the table.
    public static let allRules: [any LintRule] = [
        DenseBlowupRule(), ParamBudgetRule(), LargeKernelRule(), LateDownsamplingRule(),
        HeadRule(), DepthRule(), MXUPaddingRule(), ActivationMemoryRule(),
    ]

    public static var ruleIDs: [String] { allRules.map { type(of: $0).id } }

    public var thresholds = LintThresholds()
    /// Rule IDs switched off for the whole file (`--disable ID`).
    public var disabled: Set<String> = []
    /// Warnings become errors (`--strict`).
    public var strict = false

    public init(thresholds: LintThresholds = LintThresholds(), disabled: Set<String> = [], strict: Bool = false) {
        self.thresholds = thresholds
        self.disabled = disabled
        self.strict = strict
    }

    /// The findings, sorted by line.
    public func lint(_ model: CheckedModel, context: LintContext) -> [Diagnostic] {
        let source = model.file.source
        let silenced = Self.inlineDisables(model.file)
        var findings: [Diagnostic] = []
        for rule in Self.allRules where !disabled.contains(type(of: rule).id) {
            for var finding in rule.check(model, context, thresholds) {
                finding.notes += Self.expansionNotes(finding, model)
                if let range = finding.range,
                   silenced[source.location(of: range.start).line, default: []].contains(finding.id) {
                    continue
                }
                if strict, finding.severity == .warning { finding.severity = .error }
                findings.append(finding)
            }
        }
        return findings.sortedByLocation()
    }

    /// A finding on a layer made by a block call points inside the block; notes name the calls
    /// that made it (the layer is the one at the finding's place that the message names).
    static func expansionNotes(_ finding: Diagnostic, _ model: CheckedModel) -> [DiagnosticNote] {
        guard let range = finding.range else { return [] }
        let here = model.layers.filter { $0.decl.keywordRange == range || $0.decl.activationRange == range }
        guard here.contains(where: { !$0.callSites.isEmpty }) else { return [] }
        let words = Set(finding.message.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init))
        guard let layer = here.first(where: { words.contains($0.name) }) ?? here.first else { return [] }
        let source = model.file.source
        return layer.callSites.reversed().map { DiagnosticNote("\(layer.name) comes from \(source.text($0))", at: $0) }
    }

    /// `# lint: disable=ID[,ID...]` comments, by the 1-based line they stand on.
    public static func inlineDisables(_ file: ModelFile) -> [Int: Set<String>] {
        var out: [Int: Set<String>] = [:]
        for comment in file.comments {
            let text = comment.text.trimmingCharacters(in: " \t")
            guard text.hasPrefix("lint:") else { continue }
            let rest = text.dropFirst("lint:".count).trimmingCharacters(in: " \t")
            guard rest.hasPrefix("disable=") else { continue }
            let ids = rest.dropFirst("disable=".count).split(separator: ",").map {
                String($0).trimmingCharacters(in: " \t")
            }
            out[file.source.location(of: comment.range.start).line, default: []].formUnion(ids)
        }
        return out
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String { String(self).trimmingCharacters(in: set) }
}
