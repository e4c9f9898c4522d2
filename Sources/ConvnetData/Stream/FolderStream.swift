import Foundation

/// An image folder too large for the in-memory cache, streamed: each pass reads and decodes the
/// files on the prefetch worker (`StreamedBatches`), so resident memory is a few batches. The
/// listing (paths and labels, no pixels) is all that is kept.
///
/// Its batches are the in-memory cache's exactly: the same split (FNV-1a of each path), the same
/// epoch order (`EpochShuffle` over the training images) and the same augmentation draws (keyed by
/// training index), so a data set that outgrows memory trains the same way. The one difference:
/// an image that fails to decode is found only when it is read, and is then a black image with a
/// warning (the cache skips it before training, as it decodes everything first).
public struct FolderStream: DataSource {
    public let classNames: [String]
    public let shape: ImageShape
    public let seed: UInt64
    public let source: String
    public let stream: StreamOptions
    public let workers: Int
    let listing: ImageFolderListing
    /// Listing indices of each split, in path order.
    let training: [Int]
    let validation: [Int]
    let late = SkipLog()

    public init(listing: ImageFolderListing, options: LoadOptions, stream: StreamOptions) throws(DataError) {
        let split = try ValidationSplit(fraction: options.validationFraction)
        var training: [Int] = [], validation: [Int] = []
        for (i, e) in listing.entries.enumerated() {
            if split.split(ofRelativePath: e.relativePath) == .validation { validation.append(i) } else { training.append(i) }
        }
        if training.isEmpty { throw .emptySplit(path: listing.root, split: .training, fraction: split.fraction) }
        if validation.isEmpty && split.threshold > 0 {
            throw .emptySplit(path: listing.root, split: .validation, fraction: split.fraction)
        }
        self.listing = listing
        self.training = training
        self.validation = validation
        classNames = listing.classNames
        shape = options.shape
        seed = options.seed
        source = listing.root
        self.stream = stream
        workers = max(1, options.workers)
    }

    public var skipped: [SkippedFile] { listing.skipped + late.all }

    public func count(_ split: Split) -> Int { split == .training ? training.count : validation.count }

    public func trainingEpoch(_ epoch: Int, batchSize: Int, augmentation: Augmentation) -> any BatchSource {
        let order = EpochShuffle.order(count: training.count, seed: seed, epoch: epoch)
        let files = FolderFiles(listing: listing, entries: order.map { training[$0] }, keys: order)
        return StreamedBatches(source: files, images: training.count / batchSize * batchSize, batchSize: batchSize,
                               shape: shape, augmentation: augmentation, seed: seed, epoch: epoch,
                               prefetch: stream.prefetch, workers: workers, failures: late)
    }

    public func evaluation(_ split: Split, batchSize: Int) -> any BatchSource {
        let entries = split == .training ? training : validation
        let files = FolderFiles(listing: listing, entries: entries, keys: nil)
        return StreamedBatches(source: files, images: entries.count, batchSize: batchSize, shape: shape,
                               augmentation: .none, seed: seed, epoch: 0, prefetch: stream.prefetch,
                               workers: workers, failures: late)
    }
}

/// The files of a folder in a given order, read one at a time.
final class FolderFiles: ItemSource {
    private let listing: ImageFolderListing
    private let entries: [Int]
    private let keys: [Int]?
    private var position = 0

    init(listing: ImageFolderListing, entries: [Int], keys: [Int]?) {
        self.listing = listing
        self.entries = entries
        self.keys = keys
    }

    func next() throws(DataError) -> StreamItem? {
        guard position < entries.count else { return nil }
        defer { position += 1 }
        let entry = listing.entries[entries[position]]
        // A file that vanished since the listing decodes as nothing: a black image and a warning.
        let bytes = FileManager.default.contents(atPath: listing.path(of: entry)).map { [UInt8]($0) } ?? []
        return StreamItem(place: entry.relativePath, bytes: bytes, label: entry.label, augmentationKey: keys?[position])
    }
}
