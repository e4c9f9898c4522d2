import Foundation

/// The command-line overrides of `convnetc FILE --run`: every field is optional and, when set,
/// wins over the model file's `train { ... }` block (which itself fills in the defaults).
public struct TrainingOptions: Sendable {
    /// `--epochs N`: the total number of epochs of the run (a resumed run continues up to it).
    public var epochs: Int?
    /// `--batch N`
    public var batch: Int?
    /// `--lr X`: replaces the optimizer's learning rate, keeping its kind and momentum.
    public var learningRate: Double?
    /// `--data DIR` or `synthetic:shapes[...]`, used as given (relative to the current folder).
    public var data: String?
    /// `--seed N`: initialisation, shuffling, augmentation and dropout all derive from it.
    public var seed: Int?
    /// `--validation F`, 0 <= F < 1.
    public var validation: Double?
    /// `--resume`: continue from the latest checkpoint in the run folder.
    public var resume: Bool
    /// `--out DIR`: the run folder (default `runs/<model-name>/`).
    public var outputDirectory: String?
    /// `--overwrite`: a fresh run may replace the results of an earlier run in its folder
    /// (without it, such a run is refused: `RunFolderGuard`).
    public var overwrite = false
    /// Decoding threads (default: every core).
    public var workers: Int?
    /// `--validation-data GLOB`: the validation TFRecord shards (instead of holding out a fraction).
    public var validationData: String?
    /// `--image-key K`, `--label-key K`: the tf.train.Example features holding the image and the
    /// class index (default the codelab's `image` and `class`).
    public var imageKey: String?
    public var labelKey: String?
    /// `--init-from W`: start a new run from these weights (any format `ImportedWeights` reads)
    /// instead of the seed's initialisation; fresh optimizer state, epoch 1.
    public var initFrom: String?

    public init(epochs: Int? = nil, batch: Int? = nil, learningRate: Double? = nil, data: String? = nil,
                seed: Int? = nil, validation: Double? = nil, resume: Bool = false,
                outputDirectory: String? = nil, workers: Int? = nil, validationData: String? = nil,
                imageKey: String? = nil, labelKey: String? = nil, initFrom: String? = nil) {
        self.epochs = epochs
        self.batch = batch
        self.learningRate = learningRate
        self.data = data
        self.seed = seed
        self.validation = validation
        self.resume = resume
        self.outputDirectory = outputDirectory
        self.workers = workers
        self.validationData = validationData
        self.imageKey = imageKey
        self.labelKey = labelKey
        self.initFrom = initFrom
    }
}
