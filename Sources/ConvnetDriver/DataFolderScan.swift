import ConvnetData

/// What lint needs to know about a data folder, found without decoding any image: how many
/// images the training split holds (the split rule of references.md §3) and how many classes.
public struct DataFolderScan: Sendable {
    public var classCount: Int
    public var trainingImages: Int
    public var validationImages: Int

    /// Scans an image folder; nil when it is not a usable dataset (lint then falls back).
    public static func scan(_ path: String, validation: Double) -> DataFolderScan? {
        if path.hasPrefix("synthetic:") { return nil }
        guard let listing = try? ImageFolderListing(root: path),
              let split = try? ValidationSplit(fraction: validation) else { return nil }
        let held = listing.entries.filter { split.split(ofRelativePath: $0.relativePath) == .validation }.count
        return DataFolderScan(classCount: listing.classNames.count,
                              trainingImages: listing.entries.count - held, validationImages: held)
    }
}
