import Synchronization

/// Loads an image-folder dataset: list the files, decode them all on background threads into one
/// `ImageStore`, split by the FNV-1a rule. A file that fails to decode is skipped (named in
/// `skipped` with its reason); structural problems are `DataError`s.
public enum ImageFolderLoader {
    public static func load(root: String, options: LoadOptions) throws(DataError) -> InMemoryDataset {
        try options.shape.validate()
        let split = try ValidationSplit(fraction: options.validationFraction)
        let listing = try ImageFolderListing(root: root)
        let entries = listing.entries
        let store = try ImageStore(shape: options.shape, count: entries.count)
        let failures = Mutex<[Int: String]>([:])
        let shape = options.shape
        ParallelWork.run(count: entries.count, workers: options.workers, progress: options.progress) {
            let decoder = ImageDecoder(shape: shape)
            return { i in
                do {
                    try decoder.decodeFile(atPath: listing.path(of: entries[i]), into: store.slot(i))
                } catch let e as ImageDecodeError {
                    failures.withLock { $0[i] = e.reason }
                } catch {
                    failures.withLock { $0[i] = "\(error)" }
                }
            }
        }
        let failed = failures.withLock { $0 }
        var skipped = listing.skipped
        var trainingSlots: [Int] = [], validationSlots: [Int] = []
        var decodedPerClass = [Int](repeating: 0, count: listing.classNames.count)
        for (i, e) in entries.enumerated() {
            if let reason = failed[i] {
                skipped.append(SkippedFile(path: e.relativePath, reason: reason))
                continue
            }
            decodedPerClass[e.label] += 1
            if split.split(ofRelativePath: e.relativePath) == .validation {
                validationSlots.append(i)
            } else {
                trainingSlots.append(i)
            }
        }
        if let empty = decodedPerClass.firstIndex(of: 0) {
            let name = listing.classNames[empty]
            throw .noDecodableImages(path: listing.path(of: .init(relativePath: name, label: empty)),
                                     skipped: skipped.filter { $0.path.hasPrefix(name + "/") }.count)
        }
        if trainingSlots.isEmpty { throw .emptySplit(path: root, split: .training, fraction: split.fraction) }
        if validationSlots.isEmpty && split.threshold > 0 {
            throw .emptySplit(path: root, split: .validation, fraction: split.fraction)
        }
        skipped.sort { $0.path < $1.path }
        return InMemoryDataset(source: root, classNames: listing.classNames, seed: options.seed, skipped: skipped,
                               store: store, names: entries.map(\.relativePath), labels: entries.map(\.label),
                               trainingSlots: trainingSlots, validationSlots: validationSlots)
    }
}
