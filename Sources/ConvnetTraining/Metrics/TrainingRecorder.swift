import ConvnetSupport
import Foundation

/// Keeps a run's files current as epochs end: after each epoch it appends the metrics line and
/// rewrites `curves.svg` and `summary.json` (atomically), so whatever stops the run, its folder
/// describes every finished epoch.
public final class TrainingRecorder {
    public let run: RunDirectory
    /// Title of the curves picture.
    public let title: String
    /// Every epoch recorded so far, including those read back when resuming.
    public private(set) var epochs: [EpochMetrics]
    private let log: MetricsLog
    /// Files or records the data left out (corrupt records, unreadable images), for the summary.
    public var skipped = 0
    /// The model and backend for the summary; `wallSeconds` is filled in from `wallClock`.
    public var facts: RunFacts?
    /// The run's wall time so far, read whenever the summary is written.
    public var wallClock: (() -> Double)?

    /// Opens the run's metrics log. When resuming from a checkpoint taken after epoch
    /// `resumingAfterEpoch`, later lines are dropped and the earlier ones reloaded (so the curves
    /// show the whole run); otherwise an existing log is started afresh.
    public init(run: RunDirectory, title: String, resumingAfterEpoch: Int? = nil) throws {
        self.run = run
        self.title = title
        if resumingAfterEpoch == nil, FileManager.default.fileExists(atPath: run.metricsLog.path) {
            try AtomicFile.write("", to: run.metricsLog)
        }
        log = try MetricsLog(url: run.metricsLog, keepingEpochsThrough: resumingAfterEpoch)
        epochs = try MetricsLog.read(from: run.metricsLog)
    }

    /// Records a finished epoch: metrics line (synced), curves and a running summary.
    public func record(_ metrics: EpochMetrics) throws {
        try log.append(metrics)
        epochs.append(metrics)
        try TrainingCurvesPlot(title: title).write(epochs: epochs, to: run.curves)
        try TrainingSummary(epochs: epochs, stopReason: "running", skipped: skipped, facts: currentFacts).write(to: run.summary)
    }

    /// Writes the final summary with the reason the run ended ("completed", "interrupted"...).
    public func finish(stopReason: String) throws {
        try TrainingSummary(epochs: epochs, stopReason: stopReason, skipped: skipped, facts: currentFacts).write(to: run.summary)
    }

    private var currentFacts: RunFacts? {
        guard var f = facts else { return nil }
        f.wallSeconds = wallClock?() ?? f.wallSeconds
        return f
    }

    /// Writes the validation confusion matrix as text and JSON.
    public func writeConfusion(_ matrix: ConfusionMatrix) throws {
        try AtomicFile.write(matrix.render(), to: run.confusionText)
        try AtomicFile.write(matrix.json.compactText + "\n", to: run.confusionJSON)
    }
}
