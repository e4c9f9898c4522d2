import ConvnetData

/// Why a run, a prediction or an evaluation stopped with an error. Every description is a
/// complete message for the user (`error: ...` plus `help: ...` lines where there is advice).
/// The CLI should exit non-zero for all of them.
public enum TrainingError: Error, Sendable, CustomStringConvertible {
    /// A command-line value out of range.
    case invalidOption(String)
    /// Neither `--data` nor the train block names a dataset.
    case noDataset(model: String)
    /// The dataset could not be loaded; `origin` says which setting named it.
    case dataset(DataError, spec: String, origin: String)
    /// The loss (or a weight) stopped being a number; the message comes from `NonFiniteLossGuard`.
    /// The last good checkpoint, if any, is `lastGoodCheckpoint`.
    case nonFiniteLoss(message: String, lastGoodCheckpoint: String?)
    /// `--resume` found no checkpoint in the run folder.
    case nothingToResume(folder: String)
    /// The checkpoint was written for a different model file or input shape.
    case modelMismatch(checkpoint: String, expected: String, found: String)
    /// The checkpoint does not fit the model (a missing weight or another shape).
    case incompatibleCheckpoint(checkpoint: String, detail: String)
    /// The checkpoint was trained with another optimizer than the one configured now.
    case optimizerMismatch(checkpoint: String, saved: String, configured: String)
    /// The dataset's classes differ from the checkpoint's or the model's head.
    case classMismatch(String)
    /// A fresh run (no `--resume`, no `--overwrite`) into a folder that holds an earlier run.
    case runExists(folder: String, files: [String])
    /// Another run holds the folder's lock (`RunLock`); the holder when its lock file says.
    case runLocked(folder: String, holder: RunLockHolder?)

    public var description: String {
        switch self {
        case .invalidOption(let m):
            return "error: \(m)"
        case .noDataset(let model):
            return "error: no dataset to train \(model) on\n"
                + "help: pass --data DIR (a folder with one sub-folder of images per class), or add "
                + "`data \"DIR\"` to the model's train block; `data \"synthetic:shapes\"` trains on built-in shapes"
        case .dataset(let error, let spec, let origin):
            var text = error.description.hasPrefix("error:") ? error.description : "error: " + error.description
            switch error {
            case .folderNotFound, .notAFolder:
                let relative = origin.contains("train block") ? " (train block paths are relative to the model file's folder)" : ""
                text += "\nnote: '\(spec)' came from \(origin); convnetc looked for it at that path" + relative
                    + "\nhelp: point convnetc at a dataset with --data DIR or the train block's `data \"DIR\"`, "
                    + "or use `data \"synthetic:shapes\"`"
            default:
                break
            }
            return text
        case .nonFiniteLoss(let message, let last):
            return message + "\nnote: " + (last.map { "the last good checkpoint is \($0)" }
                ?? "no epoch finished, so no checkpoint was written")
        case .nothingToResume(let folder):
            return "error: --resume found no checkpoint in \(folder)/checkpoints\n"
                + "help: run without --resume to start training, or pass --out with the folder of an earlier run"
        case .modelMismatch(let checkpoint, let expected, let found):
            return "error: \(checkpoint) was saved for a different model (model hash \(found), this model is \(expected))\n"
                + "help: a checkpoint only resumes the model file and input shape it was trained with; "
                + "start a new run (without --resume) or pass another --out folder"
        case .incompatibleCheckpoint(let checkpoint, let detail):
            return "error: \(checkpoint) does not fit this model: \(detail)"
        case .optimizerMismatch(let checkpoint, let saved, let configured):
            return "error: \(checkpoint) was trained with \(saved) but the model now uses \(configured)\n"
                + "help: resume with the same optimizer, or start a new run without --resume"
        case .classMismatch(let m):
            return "error: \(m)"
        case .runExists(let folder, let files):
            return "error: \(folder) already holds a run (\(files.joined(separator: ", ")))\n"
                + "help: pass --resume to continue it, --overwrite to replace it, or --out DIR to start a new run elsewhere"
        case .runLocked(let folder, let holder):
            return "error: another run is using \(folder): "
                + (holder.map { "held by \($0)" } ?? "its lock is held by a process that has not said who it is") + "\n"
                + "help: wait for that run to finish (or stop it), or pass --out DIR to train into another folder"
        }
    }
}
