import ArgumentParser
import ConvnetDriver
import ConvnetFlags
import ConvnetSema
import ConvnetSyntax
import Foundation
import TPUEmulator

/// `convnetc lint FILE`: the codelab's advice as rules a learner and a CI job can run.
struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Catch parameter blowups and MXU-wasting shapes before a single step is trained.",
        discussion: "Rules: " + Linter.allRules.map { "\(type(of: $0).id) (\(type(of: $0).defaultSeverity)): \(type(of: $0).summary)" }
            .joined(separator: "\n"))

    @OptionGroup var model: ModelOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(help: "Turn warnings into errors (exit 1).")
    var strict = false

    @Option(name: .customLong("disable"), help: "Switch a rule off (repeatable).")
    var disabled: [String] = []

    @Option(help: "Training images, when the model has no `train { data }` folder (default: the flowers set's 2,951).")
    var images: Int?

    @Option(help: "Class count of the data, for the head rule.")
    var classes: Int?

    @Option(help: "param-budget: parameters allowed per training image.")
    var paramsPerImage: Int = 100

    @Option(help: "dense-blowup: least share of all parameters (0-1).")
    var denseShare: Double = 0.5

    @Option(help: "dense-blowup: least parameter count.")
    var denseMinParams: Int = 100_000

    @Option(help: "large-kernel: largest kernel side after the first layer.")
    var maxKernel: Int = 3

    @Option(help: "late-downsampling: convolutions allowed at full resolution.")
    var maxFullResConvs: Int = 2

    @Option(help: "mxu-padding: least share of the MXU's tiles a matmul should fill (0-1).")
    var minTileUse: Double = 0.5

    @Option(help: "activation-memory: share of the machine's RAM activations may take (0-1).")
    var memoryShare: Double = 0.5

    @Option(help: "TPU cores the batch rule assumes.")
    var cores: Int = TPUDevice.tpuV2.cores

    func validate() throws {
        for id in disabled where !Linter.ruleIDs.contains(id) {
            throw ValidationError("--disable \(id): no such rule; rules are \(Linter.ruleIDs.joined(separator: ", "))")
        }
        if let images, images < 1 { throw ValidationError("--images must be at least 1") }
        if let classes, classes < 1 { throw ValidationError("--classes must be at least 1") }
        if !(1...4096).contains(cores) { throw ValidationError("--cores must be between 1 and 4096") }
        for (name, v) in [("--dense-share", denseShare), ("--min-tile-use", minTileUse), ("--memory-share", memoryShare)]
        where !(0...1).contains(v) {
            throw ValidationError("\(name) must be between 0 and 1")
        }
    }

    func run() throws {
        let (result, checked) = try model.checkedModel()
        var thresholds = LintThresholds()
        thresholds.paramsPerImage = paramsPerImage
        thresholds.denseShare = denseShare
        thresholds.denseMinParams = denseMinParams
        thresholds.maxKernel = maxKernel
        thresholds.maxFullResolutionConvs = maxFullResConvs
        thresholds.minTileUse = minTileUse
        thresholds.activationMemoryShare = memoryShare
        var device = TPUDevice.tpuV2
        device.cores = cores
        let context = LintSetup.context(for: checked, images: images, classes: classes, device: device)
        let linter = Linter(thresholds: thresholds, disabled: Set(disabled), strict: strict)
        let findings = linter.lint(checked, context: context)
        let source = result.source!
        switch format {
        case .json:
            print(LintReport.json(findings, source: source).serialized(pretty: true))
        case .text:
            let tagged = findings.map { f -> Diagnostic in
                var f = f
                f.message += " [\(f.id)]"
                return f
            }
            if !tagged.isEmpty {
                print(Console.render(tagged, source: source, color: Console.useColor(allowed: !model.noColor) && Console.stdoutIsTerminal), terminator: "")
            }
            let counts = Dictionary(grouping: findings, by: \.severity).mapValues(\.count)
            print("\(model.file): \(counts[.error] ?? 0) errors, \(counts[.warning] ?? 0) warnings, \(counts[.note] ?? 0) notes")
        }
        if findings.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }
}
