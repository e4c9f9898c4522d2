import ConvnetSupport
import ConvnetSyntax

/// `convnetc lint --format json`: `{"findings": [{"id", "severity", "line", "column", "message", "help"}]}`.
public enum LintReport {
    public static func json(_ findings: [Diagnostic], source: SourceFile) -> JSON {
        .object([("findings", .array(findings.map { f in
            let loc = f.range.map { source.location(of: $0.start) }
            return .object([
                ("id", .string(f.id)),
                ("severity", .string(f.severity.description)),
                ("line", loc.map { .int($0.line) } ?? .null),
                ("column", loc.map { .int($0.column) } ?? .null),
                ("message", .string(f.message)),
                ("help", f.help.map { .string($0) } ?? .null),
            ])
        }))])
    }
}
