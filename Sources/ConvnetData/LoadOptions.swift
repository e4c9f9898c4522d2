import Foundation

/// How to load a dataset: the model's input size, the validation fraction, the seed of shuffling
/// and augmentation, and the number of decoding threads.
public struct LoadOptions: Sendable {
    public var shape: ImageShape
    /// Fraction held out for validation by the FNV-1a rule (references.md §3).
    public var validationFraction: Double
    /// Seed of the shuffle and the augmentation (not of the synthetic images' content).
    public var seed: UInt64
    /// Decoding threads; defaults to every core.
    public var workers: Int
    /// Called with `(done, total)` after each image is decoded, serialised, from worker threads.
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init(shape: ImageShape, validationFraction: Double = 0.19, seed: UInt64 = 0,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.shape = shape
        self.validationFraction = validationFraction
        self.seed = seed
        self.workers = workers
        self.progress = progress
    }
}
