/// A dataset whose images are all decoded into an `ImageStore`: what the folder loader and the
/// synthetic generator both produce. Each split lists store indices in path order.
public struct InMemoryDataset: Dataset {
    public let classNames: [String]
    public let seed: UInt64
    public let skipped: [SkippedFile]
    /// Where the images came from (folder path or synthetic spec), for messages.
    public let source: String
    let store: ImageStore
    /// Per store slot: relative path and label.
    let names: [String]
    let labels: [Int]
    let trainingSlots: [Int]
    let validationSlots: [Int]

    public var shape: ImageShape { store.shape }

    init(source: String, classNames: [String], seed: UInt64, skipped: [SkippedFile], store: ImageStore,
         names: [String], labels: [Int], trainingSlots: [Int], validationSlots: [Int]) {
        self.source = source
        self.classNames = classNames
        self.seed = seed
        self.skipped = skipped
        self.store = store
        self.names = names
        self.labels = labels
        self.trainingSlots = trainingSlots
        self.validationSlots = validationSlots
    }

    /// The same images with another shuffle/augmentation seed (no re-decoding).
    public func withSeed(_ seed: UInt64) -> InMemoryDataset {
        InMemoryDataset(source: source, classNames: classNames, seed: seed, skipped: skipped, store: store,
                        names: names, labels: labels, trainingSlots: trainingSlots, validationSlots: validationSlots)
    }

    public func count(_ split: Split) -> Int { slots(split).count }

    public func label(_ split: Split, _ index: Int) -> Int { labels[slots(split)[index]] }

    public func name(_ split: Split, _ index: Int) -> String { names[slots(split)[index]] }

    /// The stored `(H, W, C)` bytes of image `index` of a split.
    public func pixels(_ split: Split, _ index: Int) -> UnsafeBufferPointer<UInt8> {
        store.pixels(slots(split)[index])
    }

    public func fillImage(_ split: Split, _ index: Int, draw: Augmentation.Draw?, into out: UnsafeMutablePointer<Float>) {
        PixelWriter.write(pixels(split, index), shape: shape, draw: draw, into: out)
    }

    /// Images per class in a split, indexed by label.
    public func classCounts(_ split: Split) -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for s in slots(split) { counts[labels[s]] += 1 }
        return counts
    }

    private func slots(_ split: Split) -> [Int] {
        split == .training ? trainingSlots : validationSlots
    }
}
