/// The split rule shared by every comparison (references.md §3): a file is held out for
/// validation when `FNV1a64(relative path) % 10000 < round(fraction * 10000)`. It depends only on
/// the path, so adding or removing other files never moves an image between splits.
public struct ValidationSplit: Hashable, Sendable {
    /// Fraction of images held out, in [0, 1).
    public let fraction: Double
    /// `round(fraction * 10000)`, rounding halves away from zero.
    public let threshold: UInt64

    public init(fraction: Double) throws(DataError) {
        guard fraction >= 0, fraction < 1, fraction.isFinite else {
            throw .invalidValidationFraction(fraction)
        }
        self.fraction = fraction
        self.threshold = UInt64((fraction * 10000).rounded(.toNearestOrAwayFromZero))
    }

    /// The split of a path relative to the dataset root, UTF-8 with '/' separators
    /// (e.g. `daisy/100080576_f52e8ee070_n.jpg`).
    public func split(ofRelativePath path: String) -> Split {
        FNV1a.hash64(path) % 10000 < threshold ? .validation : .training
    }
}
