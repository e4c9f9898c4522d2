import ConvnetSyntax

/// What a lint rule may know beyond the model itself.
public struct LintContext: Sendable {
    /// Training images (after the validation split), from the `train` data folder or `--images`.
    public var trainingImages: Int?
    /// Class folders in the data, when a data folder was found.
    public var classCount: Int?
    /// Where `trainingImages` came from, quoted in messages ("the data folder", "--images").
    public var imagesSource: String
    /// Physical memory in bytes, for the activation budget.
    public var machineMemoryBytes: Int
    /// TPU cores the batch rule assumes.
    public var cores: Int

    public init(trainingImages: Int? = nil, classCount: Int? = nil, imagesSource: String = "--images",
                machineMemoryBytes: Int, cores: Int = 8) {
        self.trainingImages = trainingImages
        self.classCount = classCount
        self.imagesSource = imagesSource
        self.machineMemoryBytes = machineMemoryBytes
        self.cores = cores
    }
}

/// Thresholds every rule reads; each is a command-line flag of `convnetc lint`.
public struct LintThresholds: Sendable {
    /// `dense-blowup`: the share of all parameters a flatten-fed dense layer may hold...
    public var denseShare = 0.5
    /// ...and the absolute count above which it is reported.
    public var denseMinParams = 100_000
    /// `param-budget`: parameters allowed per training image.
    public var paramsPerImage = 100
    /// `large-kernel`: the largest kernel side allowed after the first layer.
    public var maxKernel = 3
    /// `late-downsampling`: convolutions allowed at the input's full resolution.
    public var maxFullResolutionConvs = 2
    /// `late-downsampling`: the largest spatial side, as a fraction of the input's, where the head starts.
    public var maxHeadResolution = 0.25
    /// `depth`: the sensible range of weight layers ("5 to 10 layers make sense").
    public var minDepth = 3
    public var maxDepth = 20
    /// `mxu-padding`: the least share of its 128x128 tiles a matmul should use.
    public var minTileUse = 0.5
    /// `mxu-padding`: the systolic array.
    public var mxuRows = 128
    public var mxuCols = 128
    /// `activation-memory`: the share of the machine's RAM training activations may take.
    public var activationMemoryShare = 0.5

    public init() {}
}

/// One lint rule: a stable ID, a default severity, and a check over the checked model.
/// Rules report `Diagnostic`s so they render exactly like compiler errors.
public protocol LintRule: Sendable {
    static var id: String { get }
    static var defaultSeverity: Severity { get }
    /// One line for `convnetc lint --list-rules` and the README.
    static var summary: String { get }
    func check(_ model: CheckedModel, _ context: LintContext, _ thresholds: LintThresholds) -> [Diagnostic]
}

extension LintRule {
    /// A finding of this rule with its default severity.
    func finding(_ message: String, at range: SourceRange?, help: String,
                 severity: Severity? = nil) -> Diagnostic {
        Diagnostic(id: Self.id, severity: severity ?? Self.defaultSeverity, range: range,
                   message: message, help: help)
    }
}
