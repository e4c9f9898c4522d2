/// TFRecord shards as a streamed dataset: an index pass counts the records (`ShardIndex`), then
/// every pass reads the shards again through bounded buffers (`StreamedBatches`). Resident memory
/// is the buffers', whatever the number of records.
///
/// Training epoch `e`: the training shards in an order drawn from `(seed, e)`, interleaved
/// `cycleLength` at a time, through a shuffle buffer drawn from `(seed, e)`, cut into full
/// batches (the last partial batch dropped, as with folders); augmentation is drawn per position
/// in the epoch. Everything is a pure function of the seed, the epoch and the shards' bytes, so a
/// run resumed at an epoch boundary sees exactly the batches of an uninterrupted run.
/// Evaluation reads the validation shards in sorted order, every record once.
public struct ShardDataset: DataSource {
    public let classNames: [String]
    public let shape: ImageShape
    public let seed: UInt64
    public let source: String
    public let schema: ExampleSchema
    public let stream: StreamOptions
    public let workers: Int
    public let training: ShardIndex
    public let validation: ShardIndex
    /// Images that passed the index but failed to decode while streaming.
    let late = SkipLog()

    static let shardOrderTag: UInt64 = 0x5348_5244  // "SHRD"
    static let bufferTag: UInt64 = 0x5342_5546  // "SBUF"

    public init(source: String, training: ShardIndex, validation: ShardIndex, shape: ImageShape, seed: UInt64,
                schema: ExampleSchema, stream: StreamOptions, workers: Int) throws(DataError) {
        self.source = source
        self.training = training
        self.validation = validation
        self.shape = shape
        self.seed = seed
        self.schema = schema
        self.stream = stream
        self.workers = max(1, workers)
        let classCount = max(training.classCounts.count, validation.classCounts.count)
        let names = (0..<classCount).map { training.classNames[$0] ?? validation.classNames[$0] ?? "class\($0)" }
        guard training.total + validation.total > 0 else {
            let skipped = training.skipped + validation.skipped
            throw .noRecords(pattern: source, skipped: skipped.count, first: skipped.first.map { "\($0.path): \($0.reason)" })
        }
        guard classCount >= 2 else { throw .tooFewClasses(path: source, found: names) }
        classNames = names
    }

    public var skipped: [SkippedFile] { training.skipped + validation.skipped + late.all }

    public func count(_ split: Split) -> Int { index(split).total }

    func index(_ split: Split) -> ShardIndex { split == .training ? training : validation }

    /// The shards of epoch `epoch` in the order they are opened.
    public func shardOrder(epoch: Int) -> [String] {
        let shards = training.shards.filter { $0.records > 0 }
        let order = EpochShuffle.order(count: shards.count, seed: SplitMix64.derive(seed, ShardDataset.shardOrderTag),
                                       epoch: epoch)
        return order.map { shards[$0].path }
    }

    public func trainingEpoch(_ epoch: Int, batchSize: Int, augmentation: Augmentation) -> any BatchSource {
        let interleaved = InterleavedShards(paths: shardOrder(epoch: epoch), cycleLength: stream.cycleLength, schema: schema)
        let shuffled = ShuffleBuffer(input: interleaved, capacity: stream.shuffleBuffer,
                                     seed: SplitMix64.derive(seed, ShardDataset.bufferTag, UInt64(bitPattern: Int64(epoch))))
        let images = training.total / batchSize * batchSize
        return StreamedBatches(source: shuffled, images: images, batchSize: batchSize, shape: shape,
                               augmentation: augmentation, seed: seed, epoch: epoch, prefetch: stream.prefetch,
                               workers: workers, failures: late)
    }

    public func evaluation(_ split: Split, batchSize: Int) -> any BatchSource {
        let shards = index(split).shards.filter { $0.records > 0 }.map(\.path)
        let sequential = InterleavedShards(paths: shards, cycleLength: 1, schema: schema)
        return StreamedBatches(source: sequential, images: count(split), batchSize: batchSize, shape: shape,
                               augmentation: .none, seed: seed, epoch: 0, prefetch: stream.prefetch,
                               workers: workers, failures: late)
    }
}
