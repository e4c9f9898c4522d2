import Foundation

/// How a run ended and what it left behind.
public struct TrainingResult: Sendable {
    public enum Outcome: String, Sendable {
        /// Every epoch ran; the final weights are in `finalWeights`.
        case completed
        /// Ctrl-C: the run stopped between steps; the last completed epoch's checkpoint is on
        /// disk and `--resume` continues from it. The CLI should exit with status 130.
        case interrupted
    }

    public var outcome: Outcome
    /// Every epoch of the run, including those recorded before a resume.
    public var epochs: [EpochMetrics]
    /// The run folder.
    public var runDirectory: URL
    /// `RUN/model.safetensors` when the run completed.
    public var finalWeights: URL?
    /// The newest epoch checkpoint on disk, if any.
    public var lastCheckpoint: URL?
    /// The validation confusion matrix of the final weights (nil without a validation split).
    public var confusion: ConfusionMatrix?
    /// Weights, slots, step and epoch at the end.
    public var state: TrainingState
    /// A line for the user (how to resume, where the files are).
    public var message: String

    /// The process status the CLI should exit with: 0 when completed, 130 (the shell's status
    /// for SIGINT) when interrupted.
    public var exitStatus: Int32 { outcome == .completed ? 0 : 130 }
}

extension RunDirectory {
    /// `RUN/model.safetensors`: the weights at the end of a completed run, for `predict` and
    /// `evaluate` (the same checkpoint format as the per-epoch files).
    public var finalWeights: URL { url.appendingPathComponent("model.safetensors") }
}
