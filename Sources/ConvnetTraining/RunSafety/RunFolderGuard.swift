import Foundation

/// The rule that a new run never destroys an earlier one: a run without `--resume` into a folder
/// that already holds a run's results is refused unless `--overwrite` says to replace them.
public enum RunFolderGuard {
    /// The files that make a folder "hold a run": any of these means an earlier run's work is there.
    public static func existingResults(in run: RunDirectory) -> [String] {
        var found: [String] = []
        let fm = FileManager.default
        for url in [run.finalWeights, run.metricsLog, run.summary] where fm.fileExists(atPath: url.path) {
            found.append(url.lastPathComponent)
        }
        if let checkpoints = try? run.checkpoints(), !checkpoints.isEmpty {
            found.append("checkpoints/ (\(checkpoints.count) \(checkpoints.count == 1 ? "checkpoint" : "checkpoints"))")
        }
        return found
    }

    /// Throws `TrainingError.runExists` when a fresh run (`resume` and `overwrite` both false)
    /// would start in a folder holding an earlier run.
    public static func check(_ run: RunDirectory, resume: Bool, overwrite: Bool) throws(TrainingError) {
        guard !resume, !overwrite else { return }
        let found = existingResults(in: run)
        if !found.isEmpty { throw .runExists(folder: run.url.path, files: found) }
    }
}
