import ConvnetSupport
import Foundation

/// The files of one training run, in one folder:
/// ```
/// RUN/metrics.jsonl                     one line per epoch (MetricsLog)
/// RUN/summary.json                      best and last epoch (TrainingSummary)
/// RUN/curves.svg                        loss and accuracy per epoch (TrainingCurvesPlot)
/// RUN/confusion.txt, confusion.json     on the validation set (ConfusionMatrix)
/// RUN/confusion.svg, predictions.svg    its pictures, and misclassified.txt (ValidationReports)
/// RUN/checkpoints/epoch-003.safetensors one per saved epoch (Checkpoint)
/// ```
/// Naming them in one place lets `--resume` find the latest checkpoint without guessing.
public struct RunDirectory: Sendable {
    public let url: URL

    /// Uses (and creates if needed) the folder `url` and its `checkpoints` subfolder.
    public init(url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: checkpointsFolder, withIntermediateDirectories: true)
    }

    /// A run folder to read (`convnetc report`): creates nothing.
    public init(reading url: URL) {
        self.url = url
    }

    public var metricsLog: URL { url.appendingPathComponent("metrics.jsonl") }
    public var summary: URL { url.appendingPathComponent("summary.json") }
    public var curves: URL { url.appendingPathComponent("curves.svg") }
    public var confusionText: URL { url.appendingPathComponent("confusion.txt") }
    public var confusionJSON: URL { url.appendingPathComponent("confusion.json") }
    public var checkpointsFolder: URL { url.appendingPathComponent("checkpoints") }

    /// `checkpoints/epoch-NNN.safetensors` for 1-based `epoch` (zero-padded so names sort).
    public func checkpoint(epoch: Int) -> URL {
        checkpointsFolder.appendingPathComponent(String(format: "epoch-%03d.safetensors", epoch))
    }

    /// Saved checkpoints as (epoch, file), oldest first.
    public func checkpoints() throws -> [(epoch: Int, url: URL)] {
        try FileManager.default.contentsOfDirectory(atPath: checkpointsFolder.path).compactMap { name in
            guard name.hasPrefix("epoch-"), name.hasSuffix(".safetensors"),
                  let epoch = Int(name.dropFirst("epoch-".count).dropLast(".safetensors".count))
            else { return nil }
            return (epoch, checkpointsFolder.appendingPathComponent(name))
        }.sorted { $0.epoch < $1.epoch }
    }

    /// The checkpoint of the highest epoch, if any: where `--resume` starts.
    public func latestCheckpoint() throws -> (epoch: Int, url: URL)? {
        try checkpoints().last
    }

    /// Deletes all but the newest `count` checkpoints (and `keep`, e.g. the best epoch's).
    public func pruneCheckpoints(keepingLast count: Int, alsoKeeping keep: Set<Int> = []) throws {
        let all = try checkpoints()
        for c in all.dropLast(max(0, count)) where !keep.contains(c.epoch) {
            try FileManager.default.removeItem(at: c.url)
        }
    }

    /// Removes `*.tmp-PID` files that a killed run left behind (an atomic write interrupted
    /// before its rename); returns their names. The finished files are never touched.
    @discardableResult
    public func removeStaleTemporaries() throws -> [String] {
        var removed: [String] = []
        for folder in [url, checkpointsFolder] {
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.contains(".tmp-") {
                try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
                removed.append(name)
            }
        }
        return removed.sorted()
    }
}
