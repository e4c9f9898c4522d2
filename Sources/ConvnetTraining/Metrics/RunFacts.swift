import ConvnetSupport
import Foundation

/// What a run's `summary.json` says about the model and the time it took, so `convnetc report`
/// can compare runs without their model files: the keys `model`, `parameters`, `macs`, `backend`
/// and `wall_seconds`, added after the summary's older keys (a reader of the old shape still
/// finds everything it knew).
public struct RunFacts: Equatable, Sendable {
    /// The model file's path as given to `--run`.
    public var model: String
    /// Keras' total parameter count (moving statistics included).
    public var parameters: Int
    /// Multiply-accumulates of one image's forward pass; nil when not known.
    public var macs: Int?
    /// The backend that trained (`cpu`, `tpu`, `native`, `reference`...).
    public var backend: String
    /// Wall time of the run from start to now (loading, compiling, training, validating), over
    /// every process that worked on it (`--resume` adds to the time before it).
    public var wallSeconds: Double

    public init(model: String, parameters: Int, macs: Int?, backend: String, wallSeconds: Double = 0) {
        self.model = model
        self.parameters = parameters
        self.macs = macs
        self.backend = backend
        self.wallSeconds = wallSeconds
    }

    /// The summary's keys for these facts, in order.
    var jsonFields: [(String, JSON)] {
        [("model", .string(model)), ("parameters", .int(parameters)), ("macs", macs.map { .int($0) } ?? .null),
         ("backend", .string(backend)), ("wall_seconds", wallSeconds.isFinite ? .double(wallSeconds) : .null)]
    }

    /// The wall time an earlier process recorded in `summary` (its `wall_seconds`, else the
    /// epochs' `total_seconds` of an older convnetc), 0 when there is none.
    public static func earlierWallSeconds(in summary: URL) -> Double {
        guard let text = try? String(contentsOf: summary, encoding: .utf8), let json = try? JSONParser.parse(text) else { return 0 }
        return json["wall_seconds"]?.doubleValue ?? json["total_seconds"]?.doubleValue ?? 0
    }
}
