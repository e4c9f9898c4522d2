/// How bad a diagnostic is. Ordered: `note < warning < error`.
public enum Severity: Int, Comparable, Sendable, CustomStringConvertible {
    case note, warning, error

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .note: "note"
        case .warning: "warning"
        case .error: "error"
        }
    }
}

/// A secondary message attached to a diagnostic, optionally pointing somewhere else.
public struct DiagnosticNote: Hashable, Sendable {
    public var message: String
    public var range: SourceRange?

    public init(_ message: String, at range: SourceRange? = nil) {
        self.message = message
        self.range = range
    }
}

/// A message about the source, as a value: produced by the lexer, parser, semantic pass and
/// lint rules, and rendered in one place (`DiagnosticRenderer`).
public struct Diagnostic: Hashable, Sendable {
    /// A stable identifier, e.g. `parse.expected-number`, `sema.dense-on-rank3`, `dense-blowup`.
    public var id: String
    public var severity: Severity
    /// Where the caret goes. `nil` for whole-file problems (missing file, empty file).
    public var range: SourceRange?
    public var message: String
    public var notes: [DiagnosticNote]
    /// How to fix it, printed as `help: ...`.
    public var help: String?

    public init(id: String, severity: Severity, range: SourceRange?, message: String,
                notes: [DiagnosticNote] = [], help: String? = nil) {
        self.id = id
        self.severity = severity
        self.range = range
        self.message = message
        self.notes = notes
        self.help = help
    }

    public static func error(_ id: String, _ message: String, at range: SourceRange?,
                             help: String? = nil, notes: [DiagnosticNote] = []) -> Diagnostic {
        Diagnostic(id: id, severity: .error, range: range, message: message, notes: notes, help: help)
    }

    public static func warning(_ id: String, _ message: String, at range: SourceRange?,
                               help: String? = nil, notes: [DiagnosticNote] = []) -> Diagnostic {
        Diagnostic(id: id, severity: .warning, range: range, message: message, notes: notes, help: help)
    }

    public static func note(_ id: String, _ message: String, at range: SourceRange?,
                            help: String? = nil, notes: [DiagnosticNote] = []) -> Diagnostic {
        Diagnostic(id: id, severity: .note, range: range, message: message, notes: notes, help: help)
    }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }

    /// Sorted by position (whole-file diagnostics first), stable for equal positions.
    public func sortedByLocation() -> [Diagnostic] {
        enumerated().sorted { a, b in
            let ka = a.element.range?.start ?? -1, kb = b.element.range?.start ?? -1
            return ka != kb ? ka < kb : a.offset < b.offset
        }.map(\.element)
    }
}
