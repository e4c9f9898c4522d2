/// One file left out of a dataset, and why. The loader keeps going; the CLI prints each as a
/// warning and the count at the end.
public struct SkippedFile: Hashable, Sendable, CustomStringConvertible {
    /// Path relative to the dataset root, '/'-separated.
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `warning: skipped daisy/x.jpg: truncated or corrupt JPEG (...)`
    public var description: String { "warning: skipped \(path): \(reason)" }
}

extension SkippedFile {
    /// The lines the CLI prints after loading: one warning per skipped file, then the count
    /// (`warning: 3 files skipped`). Empty when nothing was skipped.
    /// With `listingAtMost`, only that many are named and the rest counted in one line.
    public static func report(_ skipped: [SkippedFile], listingAtMost limit: Int = .max) -> [String] {
        guard !skipped.isEmpty else { return [] }
        let named = skipped.prefix(limit).map(\.description)
        let unnamed = skipped.count - named.count
        return named + (unnamed > 0 ? ["warning: \(unnamed) more skipped files not listed"] : [])
            + ["warning: \(skipped.count) file\(skipped.count == 1 ? "" : "s") skipped"]
    }
}
