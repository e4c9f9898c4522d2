/// What `--resume` checks before it trusts a checkpoint's counters: its file name, its epoch and
/// its step must tell one story. A checkpoint that contradicts its name (epoch 0 in
/// `epoch-002.safetensors`) would make the run write over a genuine later checkpoint, and a step
/// count no run can reach (Int.max) would overflow the step counter.
public enum ResumeConsistency {
    /// Name and metadata: `epoch-NNN.safetensors` must hold epoch NNN, at least one epoch, and a
    /// step count of at least one step per epoch.
    public static func check(_ checkpoint: Checkpoint, fileEpoch: Int, path: String) throws(TrainingError) {
        guard checkpoint.epoch == fileEpoch else {
            throw .incompatibleCheckpoint(checkpoint: path,
                detail: "its name says epoch \(fileEpoch) but its metadata says epoch \(checkpoint.epoch); "
                    + "it was renamed or damaged\nhelp: remove it (or rename it to the epoch it holds) and resume again")
        }
        guard checkpoint.epoch >= 1, checkpoint.step >= checkpoint.epoch else {
            throw .incompatibleCheckpoint(checkpoint: path,
                detail: "epoch \(checkpoint.epoch) after step \(checkpoint.step) cannot come from a run "
                    + "(every epoch takes at least one step)\nhelp: remove it and resume from the checkpoint before it")
        }
    }

    /// Steps and the data: a run that resumes takes `stepsPerEpoch` steps per epoch, as the run
    /// it continues did, so the checkpoint's step is its epoch times that (checked arithmetic).
    public static func check(_ checkpoint: Checkpoint, stepsPerEpoch: Int, batch: Int, path: String) throws(TrainingError) {
        let (expected, overflow) = checkpoint.epoch.multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow, expected == checkpoint.step else {
            throw .incompatibleCheckpoint(checkpoint: path,
                detail: "it says step \(checkpoint.step) after epoch \(checkpoint.epoch), but this data at batch \(batch) "
                    + "takes \(stepsPerEpoch) steps per epoch (\(overflow ? "more than can be counted" : String(expected)) by then)\n"
                    + "help: resume with the data and --batch the run was trained with, or start a new run with --overwrite")
        }
    }
}
