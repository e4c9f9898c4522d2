/// The one entry point training and evaluation call: opens what `--data` (and
/// `--validation-data`) name as a `DataSource`, choosing how it is held:
///
/// - TFRecord shards are always streamed (`ShardDataset`): an index pass, then bounded buffers.
///   With one glob, the first `round(F x shards)` sorted shards are the validation set, as the
///   codelab holds out whole files; `--validation-data GLOB` names the validation shards instead.
/// - Image folders are decoded once into memory (`InMemoryDataset`) when their decoded images
///   fit in `stream.cacheLimit` (half the machine's memory by default), else streamed
///   (`FolderStream`, the same batches); both split by the FNV-1a rule. Synthetic shapes are
///   generated into memory.
public enum DataSourceLoader {
    /// - Parameters:
    ///   - data: the training data (nil: only `validationData` is read, for `evaluate`).
    ///   - validationData: validation shards, replacing the fraction split.
    ///   - indexProgress: `(done, total)` shards indexed.
    public static func open(data: String?, validationData: String?, options: LoadOptions,
                            schema: ExampleSchema = .codelab, stream: StreamOptions = StreamOptions(),
                            indexProgress: (@Sendable (Int, Int) -> Void)? = nil) throws(DataError) -> any DataSource {
        let spec = try data.map { s throws(DataError) in try DatasetSpec.parse(s) }
        if case .folder(let path)? = spec, validationData == nil, let listing = try oversizedFolder(path, options: options, stream: stream) {
            return try FolderStream(listing: listing, options: options, stream: stream)
        }
        if case .tfrecord? = spec {} else if validationData == nil, let data {
            return try DatasetLoader.load(data, options: options)
        } else if let data {
            throw .validationDataNeedsShards(data: data)
        }
        try options.shape.validate()
        let split = try ValidationSplit(fraction: options.validationFraction)
        var trainingPaths: [String] = []
        var validationPaths: [String] = []
        if let validationData {
            validationPaths = try ShardGlob.expand(validationData)
            if let data { trainingPaths = try ShardGlob.expand(data) }
            if let both = Set(trainingPaths).intersection(validationPaths).sorted().first { throw .shardInBothSets(path: both) }
        } else if let data {
            (trainingPaths, validationPaths) = ShardGlob.split(try ShardGlob.expand(data), fraction: split.fraction)
        }
        let total = trainingPaths.count + validationPaths.count, held = trainingPaths.count
        let trainingProgress = shifted(indexProgress, by: 0, total: total)
        let validationProgress = shifted(indexProgress, by: held, total: total)
        let training = try ShardIndex.build(paths: trainingPaths, schema: schema, workers: options.workers,
                                            progress: trainingProgress)
        let validation = try ShardIndex.build(paths: validationPaths, schema: schema, workers: options.workers,
                                              progress: validationProgress)
        let source = [data, validationData].compactMap { $0 }.joined(separator: " + ")
        if training.total + validation.total == 0 {
            let skipped = training.skipped + validation.skipped
            throw .noRecords(pattern: source, skipped: skipped.count, first: skipped.first.map { "\($0.path): \($0.reason)" })
        }
        if data != nil, training.total == 0 {
            throw .emptySplit(path: source, split: .training, fraction: split.fraction)
        }
        return try ShardDataset(source: source, training: training, validation: validation, shape: options.shape,
                                seed: options.seed, schema: schema, stream: stream, workers: options.workers)
    }

    /// Whether `open` streams what these name (shards, or a folder larger than the cache limit),
    /// rather than decoding it into memory first.
    public static func isStreamed(data: String?, validationData: String?, options: LoadOptions,
                                  stream: StreamOptions = StreamOptions()) throws(DataError) -> Bool {
        if validationData != nil { return true }
        guard let data else { return false }
        switch try DatasetSpec.parse(data) {
        case .tfrecord: return true
        case .synthetic: return false
        case .folder(let path): return try oversizedFolder(path, options: options, stream: stream) != nil
        }
    }

    /// The listing of a folder whose decoded images would not fit in `stream.cacheLimit`; nil when
    /// they fit (the one place that decides between the cache and the stream for folders).
    static func oversizedFolder(_ path: String, options: LoadOptions, stream: StreamOptions) throws(DataError) -> ImageFolderListing? {
        try options.shape.validate()
        let listing = try ImageFolderListing(root: path)
        return listing.entries.count * options.shape.elementCount > stream.cacheLimit ? listing : nil
    }

    /// Progress of the second of two passes as part of one bar.
    static func shifted(_ progress: (@Sendable (Int, Int) -> Void)?, by offset: Int,
                        total: Int) -> (@Sendable (Int, Int) -> Void)? {
        guard let progress else { return nil }
        return { @Sendable (done: Int, _: Int) -> Void in progress(offset + done, total) }
    }
}
