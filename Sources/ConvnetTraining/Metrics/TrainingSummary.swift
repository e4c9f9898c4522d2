import ConvnetSupport
import Foundation

/// The end-of-run digest written beside `metrics.jsonl` (as `summary.json`): the last epoch, the
/// best epoch by validation accuracy (training accuracy when there is no validation set), and
/// totals, so a user or a script need not scan the whole log.
public struct TrainingSummary: Equatable, Sendable {
    public var epochs: [EpochMetrics]
    /// Why the run ended: "completed", "interrupted", "non-finite loss"...
    public var stopReason: String
    /// Files or records of the data left out with a warning (corrupt TFRecord records, unreadable
    /// images), so a run that silently trained on less is visible afterwards.
    public var skipped: Int
    /// The model, its size and the run's wall time (nil: those keys are left out).
    public var facts: RunFacts?

    public init(epochs: [EpochMetrics], stopReason: String, skipped: Int = 0, facts: RunFacts? = nil) {
        self.epochs = epochs
        self.stopReason = stopReason
        self.skipped = skipped
        self.facts = facts
    }

    /// The epoch with the highest validation accuracy (ties: the earliest); nil when empty.
    public var bestEpoch: EpochMetrics? {
        epochs.filter { ($0.valAccuracy ?? $0.accuracy).isFinite }.max { a, b in
            let (x, y) = (a.valAccuracy ?? a.accuracy, b.valAccuracy ?? b.accuracy)
            return x < y || (x == y && a.epoch > b.epoch)
        }
    }

    /// Total wall time of all epochs.
    public var totalSeconds: Double { epochs.reduce(0) { $0 + $1.seconds } }

    public var json: JSON {
        .object([
            ("stop_reason", .string(stopReason)),
            ("epochs_completed", .int(epochs.count)),
            ("total_seconds", .double(totalSeconds)),
            ("skipped", .int(skipped)),
            ("best", bestEpoch?.json ?? .null),
            ("last", epochs.last?.json ?? .null),
        ] + (facts?.jsonFields ?? []) + [
            // Each epoch's learning rate, in order (the schedule at a glance).
            ("learning_rates", .array(epochs.map { $0.learningRate.isFinite ? .double($0.learningRate) : .null })),
        ])
    }

    /// Writes the summary atomically as pretty-enough JSON (one line, newline-terminated).
    public func write(to url: URL) throws {
        try AtomicFile.write(json.compactText + "\n", to: url)
    }
}
