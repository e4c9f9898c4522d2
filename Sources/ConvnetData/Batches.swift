/// One epoch of training batches. The order is `dataset.epochOrder(epoch:)`; every batch holds
/// exactly `batchSize` images, so the last `trainCount % batchSize` images of the shuffled order
/// are dropped for this epoch (a different few each epoch). Augmentation is drawn per image from
/// `(seed, epoch, image index)`.
public struct TrainingBatches: Sendable {
    public let dataset: any Dataset
    public let epoch: Int
    public let batchSize: Int
    public let augmentation: Augmentation
    /// Shuffled training indices of this epoch.
    public let order: [Int]

    init(dataset: any Dataset, epoch: Int, batchSize: Int, augmentation: Augmentation) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        self.dataset = dataset
        self.epoch = epoch
        self.batchSize = batchSize
        self.augmentation = augmentation
        self.order = dataset.epochOrder(epoch: epoch)
    }

    /// Full batches in this epoch: `trainCount / batchSize`.
    public var count: Int { order.count / batchSize }

    /// The training indices in batch `batch`.
    public func indices(batch: Int) -> ArraySlice<Int> {
        order[(batch * batchSize)..<((batch + 1) * batchSize)]
    }

    /// Fills `images` `(B, H, W, C)` Float in [0, 1] and `labels` `(B)` with batch `batch`;
    /// returns `batchSize` (every row is real).
    @discardableResult
    public func fill(batch: Int, into images: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) -> Int {
        precondition(batch >= 0 && batch < count, "batch \(batch) out of range 0..<\(count)")
        let stride = dataset.shape.elementCount
        for (row, index) in indices(batch: batch).enumerated() {
            let draw = augmentation.isEnabled
                ? augmentation.draw(seed: dataset.seed, epoch: epoch, index: index, shape: dataset.shape) : nil
            dataset.fillImage(.training, index, draw: draw, into: images + row * stride)
            labels[row] = Int32(dataset.label(.training, index))
        }
        return batchSize
    }

    /// The relative paths of batch `batch`'s images.
    public func names(batch: Int) -> [String] {
        indices(batch: batch).map { dataset.name(.training, $0) }
    }
}

/// Batches over a whole split, in stored (path) order, for evaluation. Every image is seen once:
/// there are `ceil(count / batchSize)` batches and the last is padded to `batchSize` rows with
/// zero images labelled 0. `fill` returns how many leading rows are real; metrics must use only
/// those rows (the padding keeps the batch shape fixed for compiled code).
public struct EvaluationBatches: Sendable {
    public let dataset: any Dataset
    public let split: Split
    public let batchSize: Int

    init(dataset: any Dataset, split: Split, batchSize: Int) {
        precondition(batchSize >= 1, "batch size must be at least 1")
        self.dataset = dataset
        self.split = split
        self.batchSize = batchSize
    }

    /// `ceil(count / batchSize)`.
    public var count: Int { (dataset.count(split) + batchSize - 1) / batchSize }

    /// Fills `images` `(B, H, W, C)` and `labels` `(B)`; returns the number of real rows.
    @discardableResult
    public func fill(batch: Int, into images: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) -> Int {
        precondition(batch >= 0 && batch < count, "batch \(batch) out of range 0..<\(count)")
        let stride = dataset.shape.elementCount
        let start = batch * batchSize
        let real = min(batchSize, dataset.count(split) - start)
        for row in 0..<real {
            dataset.fillImage(split, start + row, draw: nil, into: images + row * stride)
            labels[row] = Int32(dataset.label(split, start + row))
        }
        if real < batchSize {
            (images + real * stride).update(repeating: 0, count: (batchSize - real) * stride)
            (labels + real).update(repeating: 0, count: batchSize - real)
        }
        return real
    }

    /// The relative paths of batch `batch`'s real rows.
    public func names(batch: Int) -> [String] {
        let start = batch * batchSize
        return (start..<min(start + batchSize, dataset.count(split))).map { dataset.name(split, $0) }
    }
}
