import ConvnetData
import ConvnetInterface

/// Opens the data a run or an evaluation names, as `DataSourceLoader` decides: TFRecord shards
/// and folders too large for memory streamed (a "Reading N shards" bar while shards are indexed),
/// other folders and synthetic shapes decoded into memory (`DatasetLoading`, with its decoding
/// bar). Prints a warning for every file or record left out and their count, and checks the
/// classes against the model's last layer.
public enum DataSourceLoading {
    /// Skipped files named one by one before the rest are only counted.
    public static let skippedListed = 50

    public static func open(configuration config: TrainingConfiguration, model: ModelDescription, seed: UInt64,
                            output: ProgressOutput, clock: TrainingClock,
                            requireTraining: Bool = true) throws(TrainingError) -> any DataSource {
        // Evaluating named validation shards needs no training data (nor its index pass).
        let data = requireTraining || config.validationData == nil ? config.data : nil
        let shape = ImageShape(height: model.inputShape.height, width: model.inputShape.width,
                               channels: model.inputShape.channels)
        let spec = [data, config.validationData].compactMap { $0 }.joined(separator: " + ")
        let options = LoadOptions(shape: shape, validationFraction: config.validation, seed: seed, workers: config.workers)
        let source: any DataSource
        let streamed: Bool
        do {
            streamed = try DataSourceLoader.isStreamed(data: data, validationData: config.validationData, options: options)
        } catch {
            throw .dataset(error, spec: spec, origin: config.dataOrigin)
        }
        if !streamed {
            source = try DatasetLoading.load(spec: data, origin: config.dataOrigin, model: model,
                                             validation: config.validation, seed: seed, workers: config.workers,
                                             output: output, clock: clock)
        } else {
            if requireTraining, data == nil { throw .noDataset(model: model.path) }
            let progress = DecodeProgress(output: output, clock: clock, label: { "Reading \($0) shards" })
            do {
                source = try DataSourceLoader.open(data: data, validationData: config.validationData,
                                                   options: options, schema: config.schema,
                                                   indexProgress: { done, total in progress.update(done: done, total: total) })
            } catch {
                progress.finish()
                throw .dataset(error, spec: spec, origin: config.dataOrigin)
            }
            progress.finish()
            guard source.classNames.count == model.classCount else {
                throw .classMismatch("the dataset '\(spec)' has \(source.classNames.count) classes "
                    + "(\(source.classNames.joined(separator: ", "))) but the model's last layer predicts \(model.classCount)\n"
                    + "help: make the last layer `dense \(source.classNames.count) softmax`")
            }
        }
        for line in SkippedFile.report(source.skipped, listingAtMost: skippedListed) { output.write(line + "\n") }
        return source
    }
}
