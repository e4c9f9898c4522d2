import Foundation
import Synchronization

/// One pass of batches decoded ahead on a worker thread, as tf.data's `batch` + `map(decode)` +
/// `prefetch`: the worker draws each batch's encoded images from an `ItemSource` (for training an
/// interleave of shards through a shuffle buffer), decodes them on every core into a batch of
/// bytes and queues it; `fill` takes the batches in order and converts them to floats (with the
/// augmentation draw of each image's position in the epoch, or its own key). At most `prefetch` decoded batches
/// wait in the queue, so memory is bounded by the buffer sizes, never by the data.
///
/// The order of the images is decided on the worker thread alone, before any parallel work, so it
/// does not depend on timing: the same source gives the same batches on every run.
final class StreamedBatches: BatchSource {
    let count: Int
    let batchSize: Int
    let shape: ImageShape
    let augmentation: Augmentation
    let seed: UInt64
    let epoch: Int
    private let queue: BoundedQueue<Result<DecodedBatch, DataError>>
    private let nextBatch = Mutex<Int>(0)
    /// The names of the batch `fill` took last, for `names(batch:)`.
    private let lastNames = Mutex<(batch: Int, names: [String])>((-1, []))

    /// One decoded batch: `(rows, H, W, C)` bytes and `(rows)` labels.
    struct DecodedBatch: Sendable {
        var pixels: ImageStore  // (rows, H, W, C)
        var labels: [Int]
        var augmentationKeys: [Int?]
        var names: [String]
        var rows: Int
    }

    /// - Parameters:
    ///   - images: how many images the pass uses (`count` batches; the last may be partial).
    ///   - failures: records whose image failed to decode (left as zeros) are reported here.
    init(source: ItemSource, images: Int, batchSize: Int, shape: ImageShape, augmentation: Augmentation,
         seed: UInt64, epoch: Int, prefetch: Int, workers: Int, failures: SkipLog) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        count = (images + batchSize - 1) / batchSize
        self.batchSize = batchSize
        self.shape = shape
        self.augmentation = augmentation
        self.seed = seed
        self.epoch = epoch
        let queue = BoundedQueue<Result<DecodedBatch, DataError>>(capacity: prefetch)
        self.queue = queue
        let producer = Producer(source: source, images: images, batchSize: batchSize, shape: shape,
                                workers: workers, failures: failures)
        let batches = count
        let thread = Thread {
            for b in 0..<batches {
                let batch = producer.make(batch: b)
                guard queue.put(batch) else { return }
                if case .failure = batch { break }
            }
            queue.close()
        }
        thread.name = "convnetc-prefetch"
        thread.start()
    }

    deinit { queue.close() }

    func fill(batch: Int, into images: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) throws -> Int {
        let expected = nextBatch.withLock { n in defer { n += 1 }; return n }
        precondition(batch == expected, "streamed batches are read in order: asked for \(batch), next is \(expected)")
        guard let result = queue.take() else {
            throw DataError.badRecord(record: "batch \(batch)", reason: "the stream ended early")
        }
        let decoded = try result.get()
        lastNames.withLock { $0 = (batch, decoded.names) }
        let stride = shape.elementCount
        for row in 0..<decoded.rows {
            let key = decoded.augmentationKeys[row] ?? batch * batchSize + row
            let draw = augmentation.isEnabled
                ? augmentation.draw(seed: seed, epoch: epoch, index: key, shape: shape) : nil
            PixelWriter.write(decoded.pixels.pixels(row), shape: shape, draw: draw, into: images + row * stride)
            labels[row] = Int32(decoded.labels[row])
        }
        if decoded.rows < batchSize {
            (images + decoded.rows * stride).update(repeating: 0, count: (batchSize - decoded.rows) * stride)
            (labels + decoded.rows).update(repeating: 0, count: batchSize - decoded.rows)
        }
        return decoded.rows
    }

    /// The names of the batch `fill` took last (empty for any other batch).
    func names(batch: Int) -> [String] {
        lastNames.withLock { $0.batch == batch ? $0.names : [] }
    }

    /// The worker thread's state: only that thread touches it.
    private final class Producer: @unchecked Sendable {
        let source: ItemSource
        let images: Int
        let batchSize: Int
        let shape: ImageShape
        let workers: Int
        let failures: SkipLog

        init(source: ItemSource, images: Int, batchSize: Int, shape: ImageShape, workers: Int, failures: SkipLog) {
            self.source = source
            self.images = images
            self.batchSize = batchSize
            self.shape = shape
            self.workers = workers
            self.failures = failures
        }

        func make(batch b: Int) -> Result<DecodedBatch, DataError> {
            let rows = min(batchSize, images - b * batchSize)
            var items: [StreamItem] = []
            items.reserveCapacity(rows)
            do throws(DataError) {
                for _ in 0..<rows {
                    guard let item = try source.next() else {
                        throw DataError.badRecord(record: "image \(b * batchSize + items.count) of the pass",
                                                  reason: "the shards hold fewer records than when they were indexed (changed during the run?)")
                    }
                    items.append(item)
                }
            } catch {
                return .failure(error)
            }
            let store: ImageStore
            do throws(DataError) { store = try ImageStore(shape: shape, count: rows) } catch { return .failure(error) }  // (rows, H, W, C)
            let shape = self.shape, failures = self.failures, all = items
            ParallelWork.run(count: rows, workers: workers, progress: nil) {
                let decoder = ImageDecoder(shape: shape)
                return { i in
                    let outcome: Result<Void, ImageDecodeError> = all[i].bytes.withUnsafeBytes { raw in
                        do throws(ImageDecodeError) { try decoder.decode(raw, into: store.slot(i)); return .success(()) }
                        catch { return .failure(error) }
                    }
                    if case .failure(let e) = outcome {
                        failures.add(SkippedFile(path: all[i].place, reason: e.reason + " (decoded as a black image)"))
                    }
                }
            }
            return .success(DecodedBatch(pixels: store, labels: items.map(\.label),
                                         augmentationKeys: items.map(\.augmentationKey), names: items.map { $0.name ?? $0.place },
                                         rows: rows))
        }
    }
}

/// Files or records left out while streaming (an image that failed to decode after its record
/// passed the index), shared by every pass of one data source.
public final class SkipLog: Sendable {
    private let entries = Mutex<[SkippedFile]>([])

    public init() {}

    func add(_ entry: SkippedFile) {
        entries.withLock { list in if !list.contains(entry) { list.append(entry) } }
    }

    public var all: [SkippedFile] { entries.withLock { $0 } }
}
