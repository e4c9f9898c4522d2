import ConvnetData
import ConvnetInterface
import Synchronization

/// Loads the dataset a run or an evaluation names, showing a `WorkProgressBar` while images
/// decode, and turns a missing dataset into a message that says where convnetc looked and how
/// to point it at one.
public enum DatasetLoading {
    /// - Parameters:
    ///   - spec: the folder or `synthetic:...` spec, nil when nothing named one.
    ///   - origin: which setting named it (`--data`, the train block), for the message.
    public static func load(spec: String?, origin: String, model: ModelDescription, validation: Double, seed: UInt64,
                            workers: Int, output: ProgressOutput, clock: TrainingClock) throws(TrainingError) -> InMemoryDataset {
        guard let spec else { throw .noDataset(model: model.path) }
        let shape = ImageShape(height: model.inputShape.height, width: model.inputShape.width,
                               channels: model.inputShape.channels)
        let progress = DecodeProgress(output: output, clock: clock)
        let options = LoadOptions(shape: shape, validationFraction: validation, seed: seed, workers: workers,
                                  progress: { done, total in progress.update(done: done, total: total) })
        let dataset: InMemoryDataset
        do {
            dataset = try DatasetLoader.load(spec, options: options)
        } catch {
            progress.finish()
            throw .dataset(error, spec: spec, origin: origin)
        }
        progress.finish()
        guard dataset.classNames.count == model.classCount else {
            throw .classMismatch("the dataset '\(spec)' has \(dataset.classNames.count) classes "
                + "(\(dataset.classNames.joined(separator: ", "))) but the model's last layer predicts \(model.classCount)\n"
                + "help: make the last layer `dense \(dataset.classNames.count) softmax`")
        }
        return dataset
    }
}

/// The decoding progress bar, created on the first report (when the total is known). The
/// loader reports from worker threads one at a time; the lock makes that safe to state.
final class DecodeProgress: Sendable {
    private let state: Mutex<WorkProgressBar?>
    private nonisolated(unsafe) let output: ProgressOutput
    private nonisolated(unsafe) let clock: TrainingClock
    /// The bar's label for a total ("Decoding 3670 images").
    private let label: @Sendable (Int) -> String

    init(output: ProgressOutput, clock: TrainingClock, label: @escaping @Sendable (Int) -> String = { "Decoding \($0) images" }) {
        self.output = output
        self.clock = clock
        self.label = label
        state = Mutex(nil)
    }

    func update(done: Int, total: Int) {
        state.withLock { bar in
            if bar == nil {
                bar = WorkProgressBar(label: label(total), total: total, output: output, clock: clock)
            }
            bar!.update(done: done)
        }
    }

    func finish() {
        state.withLock { $0?.finish() }
    }
}
