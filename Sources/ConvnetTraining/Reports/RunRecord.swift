import ConvnetSupport
import Foundation

/// One run folder as `convnetc report` sees it: the model, its size, how long it trained and its
/// validation accuracy per epoch, read from `summary.json` and `metrics.jsonl` (and the weights
/// when an older summary lacks the parameter count). What the folder lacks is listed in
/// `missing`, never guessed.
public struct RunRecord: Sendable {
    /// The folder as named on the command line.
    public var folder: String
    public var model: String?
    public var parameters: Int?
    public var macs: Int?
    public var backend: String?
    /// Epochs recorded.
    public var epochs: Int?
    /// The epochs' wall time summed (training and validation).
    public var seconds: Double?
    /// The whole run's wall time (loading and compiling too), from newer summaries.
    public var wallSeconds: Double?
    public var bestValAccuracy: Double?
    public var bestEpoch: Int?
    public var finalValAccuracy: Double?
    public var stopReason: String?
    /// Validation accuracy per epoch, for the comparison picture.
    public var curve: [(epoch: Int, accuracy: Double)] = []
    /// What the folder lacks or holds unreadably, one phrase each.
    public var missing: [String] = []

    public init(folder: String) { self.folder = folder }

    /// Reads `folder`. A path that is not a folder, or a folder holding none of a run's files, is
    /// an error naming it; a run folder missing some of them is read with `missing` saying which.
    public static func read(folder: String) throws(RunRecordError) -> RunRecord {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) else { throw .noSuchFolder(folder) }
        guard isFolder.boolValue else { throw .notAFolder(folder) }
        let run = RunDirectory(reading: URL(fileURLWithPath: folder))
        guard !RunFolderGuard.existingResults(in: run).isEmpty else { throw .notARun(folder) }

        var record = RunRecord(folder: folder)
        let fm = FileManager.default
        var epochs: [EpochMetrics]?
        if fm.fileExists(atPath: run.metricsLog.path) {
            do { epochs = try MetricsLog.read(from: run.metricsLog) } catch {
                record.missing.append("metrics.jsonl is unreadable (\(error))")
            }
        } else {
            record.missing.append("no metrics.jsonl (no per-epoch curve)")
        }
        var summary: JSON?
        if fm.fileExists(atPath: run.summary.path) {
            if let text = try? String(contentsOf: run.summary, encoding: .utf8), let json = try? JSONParser.parse(text),
               case .object = json {
                summary = json
            } else {
                record.missing.append("summary.json is unreadable")
            }
        } else {
            record.missing.append("no summary.json")
        }

        if let s = summary {
            record.stopReason = s["stop_reason"]?.stringValue
            record.epochs = s["epochs_completed"]?.doubleValue.map { Int($0) }
            record.seconds = s["total_seconds"]?.doubleValue
            record.bestEpoch = s["best"]?["epoch"]?.doubleValue.map { Int($0) }
            record.bestValAccuracy = s["best"]?["val_accuracy"]?.doubleValue
            record.finalValAccuracy = s["last"]?["val_accuracy"]?.doubleValue
            record.model = s["model"]?.stringValue
            record.parameters = s["parameters"]?.doubleValue.map { Int($0) }
            record.macs = s["macs"]?.doubleValue.map { Int($0) }
            record.backend = s["backend"]?.stringValue
            record.wallSeconds = s["wall_seconds"]?.doubleValue
            if s["model"] == nil && s["parameters"] == nil {
                record.missing.append("summary.json has no model, parameters, MACs or wall time (written by an older convnetc)")
            }
        }
        // The per-epoch log is the fuller record (a summary can be a running one).
        if let epochs, !epochs.isEmpty {
            record.epochs = epochs.count
            record.seconds = epochs.reduce(0) { $0 + $1.seconds }
            record.curve = epochs.compactMap { e in e.valAccuracy.flatMap { $0.isFinite ? (e.epoch, $0) : nil } }
            let best = TrainingSummary(epochs: epochs, stopReason: "").bestEpoch
            record.bestEpoch = best?.epoch
            record.bestValAccuracy = best?.valAccuracy
            record.finalValAccuracy = epochs.last?.valAccuracy.flatMap { $0.isFinite ? $0 : nil }
        }
        if record.epochs != nil, record.bestValAccuracy == nil {
            record.missing.append("no validation accuracy (trained without a validation split?)")
        }
        if record.parameters == nil, let weights = record.countedParameters(run) {
            record.parameters = weights.count
            record.missing.append("parameters counted from \(weights.file)")
        }
        return record
    }

    /// The parameter count of the run's final weights, else its newest checkpoint.
    private func countedParameters(_ run: RunDirectory) -> (count: Int, file: String)? {
        let candidates = [run.finalWeights] + ((try? run.checkpoints())?.reversed().map(\.url) ?? [])
        for url in candidates where FileManager.default.fileExists(atPath: url.path) {
            if let checkpoint = try? Checkpoint.load(from: url) {
                let count = checkpoint.parameters.values.reduce(0) { $0 + $1.shape.reduce(1, *) }
                let name = url.deletingLastPathComponent().lastPathComponent == "checkpoints"
                    ? "checkpoints/" + url.lastPathComponent : url.lastPathComponent
                return (count, name)
            }
        }
        return nil
    }
}

/// A `report` argument that is not a run folder.
public enum RunRecordError: Error, CustomStringConvertible, Sendable {
    case noSuchFolder(String)
    case notAFolder(String)
    case notARun(String)

    public var description: String {
        switch self {
        case .noSuchFolder(let p): "error: \(TerminalText.escaped(p)): no such folder"
        case .notAFolder(let p): "error: \(TerminalText.escaped(p)) is a file, not a run folder"
        case .notARun(let p):
            "error: \(TerminalText.escaped(p)) is not a run folder (it holds no metrics.jsonl, summary.json, model.safetensors or checkpoints)\n"
                + "help: name the folders `convnetc FILE --run` wrote, e.g. runs/flowers (or its --out)"
        }
    }
}
