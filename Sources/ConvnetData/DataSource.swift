/// The batches of one pass over a split, read in order: `fill(batch: 0)`, then 1, 2...
/// (in-memory batches also allow any order; streamed ones are produced ahead in this order).
public protocol BatchSource {
    /// Batches in the pass.
    var count: Int { get }
    /// Fills `images` `(B, H, W, C)` Float in [0, 1] and `labels` `(B)` with batch `batch`; returns
    /// how many leading rows are real (the rest, in a padded evaluation batch, are zeros).
    @discardableResult
    func fill(batch: Int, into images: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) throws -> Int
    /// The names of batch `batch`'s real rows, for reports (`misclassified.txt`): relative paths
    /// for folders and synthetic shapes, `SHARD#INDEX` for TFRecord records. Asked after
    /// `fill(batch:)` of the same batch (a stream knows them only then); empty when unknown.
    func names(batch: Int) -> [String]
}

extension BatchSource {
    public func names(batch: Int) -> [String] { [] }
}

/// What training and evaluation read, whatever the data's source and however it is held: all
/// decoded in memory (`InMemoryDataset`: image folders that fit, synthetic shapes) or streamed
/// through a bounded buffer (`ShardDataset`: TFRecord shards).
public protocol DataSource: Sendable {
    /// Class names in label order.
    var classNames: [String] { get }
    /// The size every image is brought to.
    var shape: ImageShape { get }
    /// Where the images come from, for messages.
    var source: String { get }
    /// Files or records left out, each with its reason.
    var skipped: [SkippedFile] { get }
    /// Images in a split.
    func count(_ split: Split) -> Int
    /// The training batches of `epoch` (0-based): shuffled, full batches only, a pure function of
    /// the seed and the epoch so a resumed run sees what an uninterrupted one would have.
    func trainingEpoch(_ epoch: Int, batchSize: Int, augmentation: Augmentation) -> any BatchSource
    /// Every image of a split once, in stored order, the last batch padded.
    func evaluation(_ split: Split, batchSize: Int) -> any BatchSource
}

extension TrainingBatches: BatchSource {}
extension EvaluationBatches: BatchSource {}

extension InMemoryDataset: DataSource {
    public func trainingEpoch(_ epoch: Int, batchSize: Int, augmentation: Augmentation) -> any BatchSource {
        trainingBatches(epoch: epoch, batchSize: batchSize, augmentation: augmentation)
    }

    public func evaluation(_ split: Split, batchSize: Int) -> any BatchSource {
        evaluationBatches(split, batchSize: batchSize)
    }
}
