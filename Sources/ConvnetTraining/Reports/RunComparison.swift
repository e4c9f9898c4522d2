import Foundation
import ConvnetSupport

/// `convnetc report`'s table and JSON: one row per run, the same fields in both.
public struct RunComparison: Sendable {
    public var runs: [RunRecord]

    public init(runs: [RunRecord]) { self.runs = runs }

    /// The table's columns, in order.
    static let headers = ["run", "model", "params", "MACs", "epochs", "time", "best val_acc", "final val_acc"]

    /// One row per run; an unknown value is `-`. Runs missing something are listed after the table.
    public func renderText() -> String {
        let rows = runs.map { r -> [String] in
            [TerminalText.escaped(r.folder), r.model.map(TerminalText.escaped) ?? "-",
             r.parameters.map(NumberFormat.grouped) ?? "-",
             r.macs.map { NumberFormat.si(Double($0)) } ?? "-",
             r.epochs.map(String.init) ?? "-",
             r.seconds.map(Self.duration) ?? "-",
             r.bestValAccuracy.map { NumberFormat.fixed($0, 4) + (r.bestEpoch.map { " (epoch \($0))" } ?? "") } ?? "-",
             r.finalValAccuracy.map { NumberFormat.fixed($0, 4) } ?? "-"]
        }
        let widths = Self.headers.indices.map { c in ([Self.headers[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        // Text columns on the left, numbers on the right.
        let numeric: Set<Int> = [2, 3, 4, 5, 7]
        func line(_ cells: [String]) -> String {
            cells.indices.map { c in
                numeric.contains(c) ? NumberFormat.padLeft(cells[c], widths[c]) : NumberFormat.padRight(cells[c], widths[c])
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var lines = [line(Self.headers)]
        lines += rows.map(line)
        return lines.joined(separator: "\n") + "\n"
    }

    /// Per run, what it lacks: `RUN: no summary.json; ...`, for stderr.
    public var notes: [String] {
        runs.filter { !$0.missing.isEmpty }.map { "note: \(TerminalText.escaped($0.folder)): " + $0.missing.joined(separator: "; ") }
    }

    /// `{"runs": [{"run", "model", "parameters", "macs", "epochs", "seconds", "wall_seconds",
    /// "best_val_accuracy", "best_epoch", "final_val_accuracy", "stop_reason", "backend",
    /// "missing": [...]}], ...extra}`; unknown values are `null`.
    public func json(extra: [(String, JSON)] = []) -> JSON {
        func int(_ v: Int?) -> JSON { v.map { .int($0) } ?? .null }
        func num(_ v: Double?) -> JSON { v.map { $0.isFinite ? .double($0) : .null } ?? .null }
        func str(_ v: String?) -> JSON { v.map { .string($0) } ?? .null }
        return .object([("runs", .array(runs.map { r in
            .object([
                ("run", .string(r.folder)),
                ("model", str(r.model)),
                ("parameters", int(r.parameters)),
                ("macs", int(r.macs)),
                ("epochs", int(r.epochs)),
                ("seconds", num(r.seconds)),
                ("wall_seconds", num(r.wallSeconds)),
                ("best_val_accuracy", num(r.bestValAccuracy)),
                ("best_epoch", int(r.bestEpoch)),
                ("final_val_accuracy", num(r.finalValAccuracy)),
                ("stop_reason", str(r.stopReason)),
                ("backend", str(r.backend)),
                ("missing", .array(r.missing.map { .string($0) })),
            ])
        }))] + extra)
    }

    /// The JSON document of `report --format json`: the runs, then `"picture": {"svg", "png"}`
    /// (`png` null when none was written), indented.
    public func renderJSON(picture svg: String, png: String?) -> String {
        let picture: JSON = .object([("svg", .string(svg)), ("png", png.map { .string($0) } ?? .null)])
        return json(extra: [("picture", picture)]).serialized(pretty: true) + "\n"
    }

    /// `42.1s`, `3m 05s`, `1h 02m`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "-" }
        if seconds < 60 { return NumberFormat.fixed(seconds, 1) + "s" }
        let s = Int(seconds.rounded())
        if s < 3600 { return "\(s / 60)m " + (s % 60 < 10 ? "0" : "") + "\(s % 60)s" }
        let m = (s % 3600) / 60
        return "\(s / 3600)h " + (m < 10 ? "0" : "") + "\(m)m"
    }
}
