/// Why a global batch cannot be split over the cores: the message, and the fix.
public struct DataParallelError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// What to change (a batch size or core count that divides), for the `help:` line.
    public var help: String

    public init(_ message: String, help: String) {
        self.message = message
        self.help = help
    }

    public var description: String { message + "\nhelp: " + help }
}

/// How `--cores N` splits a global batch: every core gets the same number of consecutive
/// examples, core 0 first, so a shard is a plain slice of the batch buffer `(B, H, W, C)`.
///
/// An even split is required (no padding, no ragged last core): a TPU program is compiled for
/// one per-core shape, and equal shards make the mean of the per-core mean losses equal the
/// global mean loss, which is what keeps data-parallel training equal to one big step.
public struct DataParallelSplit: Hashable, Sendable {
    /// Examples per step over all cores.
    public let globalBatch: Int
    /// How many cores share the step.
    public let cores: Int
    /// Examples each core computes: `globalBatch / cores`.
    public let perCoreBatch: Int

    /// Throws a `DataParallelError` (with the nearest batch sizes that divide) when `globalBatch`
    /// is not a positive multiple of `cores`.
    public init(globalBatch: Int, cores: Int) throws(DataParallelError) {
        guard cores >= 1 else {
            throw DataParallelError("--cores must be at least 1, got \(cores)",
                                    help: "use --cores 8 for a TPU v2-8 board, or --cores 1 for one core")
        }
        guard globalBatch >= 1 else {
            throw DataParallelError("the batch must be at least 1, got \(globalBatch)",
                                    help: "use a batch that is a multiple of \(cores), e.g. \(cores * 16)")
        }
        guard globalBatch % cores == 0 else {
            let below = globalBatch / cores * cores
            let above = below + cores
            let choices = below > 0 ? "batch \(below) or \(above)" : "batch \(above)"
            throw DataParallelError(
                "batch \(globalBatch) does not split evenly over \(cores) cores (\(globalBatch) % \(cores) = \(globalBatch % cores))",
                help: "use \(choices) (a multiple of \(cores)), or a --cores value that divides \(globalBatch)")
        }
        self.globalBatch = globalBatch
        self.cores = cores
        self.perCoreBatch = globalBatch / cores
    }

    /// The examples (indices into the global batch) that `core` computes.
    public func shard(_ core: Int) -> Range<Int> {
        precondition(core >= 0 && core < cores, "core \(core) of \(cores)")
        return core * perCoreBatch ..< (core + 1) * perCoreBatch
    }
}
