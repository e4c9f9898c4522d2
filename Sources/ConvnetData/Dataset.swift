/// What the trainer needs from a dataset, whatever its source (image folder, synthetic shapes,
/// TFRecord). Images come out as Float `(H, W, C)` in [0, 1]; labels are class indices.
public protocol Dataset: Sendable {
    /// Class names in label order (sorted folder names for an image folder).
    var classNames: [String] { get }
    /// The size every image was brought to.
    var shape: ImageShape { get }
    /// Seed of the shuffle and the augmentation.
    var seed: UInt64 { get }
    /// Number of images in a split.
    func count(_ split: Split) -> Int
    /// Files left out while loading, each with its reason.
    var skipped: [SkippedFile] { get }

    /// Label of image `index` of a split.
    func label(_ split: Split, _ index: Int) -> Int
    /// Name of image `index` of a split (path relative to the dataset root).
    func name(_ split: Split, _ index: Int) -> String
    /// Writes image `index` of a split as floats, `(H, W, C)`, without augmentation.
    func fillImage(_ split: Split, _ index: Int, into out: UnsafeMutablePointer<Float>)
    /// Writes image `index` of a split through an augmentation draw.
    func fillImage(_ split: Split, _ index: Int, draw: Augmentation.Draw?, into out: UnsafeMutablePointer<Float>)
}

extension Dataset {
    public var trainCount: Int { count(.training) }
    public var validationCount: Int { count(.validation) }

    /// The training order of `epoch`: a permutation of `0..<trainCount`, a pure function of
    /// `(seed, epoch)`.
    public func epochOrder(epoch: Int) -> [Int] {
        EpochShuffle.order(count: trainCount, seed: seed, epoch: epoch)
    }

    /// The training batches of `epoch`: shuffled, fixed size, the last partial batch dropped.
    public func trainingBatches(epoch: Int, batchSize: Int, augmentation: Augmentation = .none) -> TrainingBatches {
        TrainingBatches(dataset: self, epoch: epoch, batchSize: batchSize, augmentation: augmentation)
    }

    /// Batches over a whole split in stored order for evaluation; the last one is padded.
    public func evaluationBatches(_ split: Split = .validation, batchSize: Int) -> EvaluationBatches {
        EvaluationBatches(dataset: self, split: split, batchSize: batchSize)
    }

    public func fillImage(_ split: Split, _ index: Int, into out: UnsafeMutablePointer<Float>) {
        fillImage(split, index, draw: nil, into: out)
    }
}
