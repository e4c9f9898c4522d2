import ConvnetSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The per-epoch metrics log, `metrics.jsonl`: one JSON object per line, appended and synced to
/// disk at the end of every epoch, so a run killed at any moment keeps every finished epoch and
/// tools (`jq`, pandas `read_json(lines=True)`) can follow it while training runs.
public final class MetricsLog {
    public let url: URL
    private let fd: Int32

    /// Opens `url` for appending, creating it if needed. A half-written last line left by a
    /// killed run is dropped first (atomically), so new lines never glue onto it.
    /// - Parameter keepingEpochsThrough: when resuming from a checkpoint taken after epoch N,
    ///   records of later epochs (written before the interruption) are dropped too.
    public init(url: URL, keepingEpochsThrough lastEpoch: Int? = nil) throws {
        self.url = url
        if FileManager.default.fileExists(atPath: url.path) {
            let text = try String(contentsOf: url, encoding: .utf8)
            if lastEpoch != nil || !(text.isEmpty || text.hasSuffix("\n")) {
                let kept = try MetricsLog.read(from: url).filter { $0.epoch <= (lastEpoch ?? Int.max) }
                try AtomicFile.write(kept.map { $0.json.compactText + "\n" }.joined(), to: url)
            }
        }
        fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AtomicFile.WriteError(path: url.path, detail: "open failed: \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(fd) }

    /// Appends one record as a line and syncs it to disk.
    public func append(_ record: EpochMetrics) throws {
        let line = Array((record.json.compactText + "\n").utf8)
        var written = 0
        while written < line.count {
            let n = line.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFile.WriteError(path: url.path, detail: "write failed: \(String(cString: strerror(errno)))")
            }
            written += n
        }
        _ = fsync(fd)
    }

    /// Reads every complete record. A last line without its newline (the process died while
    /// writing it) is ignored; any other unreadable line is an error naming its line number.
    public static func read(from url: URL) throws -> [EpochMetrics] {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let last = lines.last, !text.hasSuffix("\n") || last.isEmpty { lines.removeLast() }
        return try lines.enumerated().compactMap { index, line in
            if line.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
            guard let record = (try? JSONParser.parse(line)).flatMap(EpochMetrics.init(json:)) else {
                throw MetricsLogError(path: url.path, line: index + 1)
            }
            return record
        }
    }
}

/// A line of the metrics log that is not a metrics record.
public struct MetricsLogError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let line: Int
    public var description: String { "\(path):\(line): not a metrics record" }
}
