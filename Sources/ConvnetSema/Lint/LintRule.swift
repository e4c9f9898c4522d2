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
    /// The TPU the advice is for (its cores for the batch rule, its MXU for the tile rule).
    public var device: LintDevice

    public init(trainingImages: Int? = nil, classCount: Int? = nil, imagesSource: String = "--images",
                machineMemoryBytes: Int, device: LintDevice) {
        self.trainingImages = trainingImages
        self.classCount = classCount
        self.imagesSource = imagesSource
        self.machineMemoryBytes = machineMemoryBytes
        self.device = device
    }
}

/// What the lint rules know of the TPU: its cores and the MXU's rows and columns. The figures
/// are the emulator's device description (`TPUDevice`, the one place they are written), handed in
/// by whoever runs the linter (`TPUDevice.lintDevice`), so lint and the emulator cannot disagree.
public struct LintDevice: Hashable, Sendable {
    /// Cores the global batch is split over.
    public var cores: Int
    /// The MXU's rows (the reduction K maps onto them) and columns (the outputs N).
    public var mxuRows: Int
    public var mxuCols: Int

    public init(cores: Int, mxuRows: Int, mxuCols: Int) {
        self.cores = cores
        self.mxuRows = mxuRows
        self.mxuCols = mxuCols
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
    /// `mxu-padding`: the least share of its MXU-sized tiles a matmul should use.
    public var minTileUse = 0.5
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
