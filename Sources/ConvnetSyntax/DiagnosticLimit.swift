/// How many diagnostics one file may print. A file of 6,000 mistakes (a generated file, a binary
/// file passed by accident) would otherwise print 6,000 excerpts; after the first
/// `maxErrors` errors only a count follows, as compilers do (`-ferror-limit`). Warnings and notes
/// share the budget so a file cannot flood the terminal with them either.
public enum DiagnosticLimit {
    /// Errors shown per file.
    public static let maxErrors = 50
    /// Diagnostics of any severity shown per file.
    public static let maxDiagnostics = 100

    /// The first diagnostics within the limits, in the order given, then (if any were left out) a
    /// note without a location saying how many more errors and other diagnostics there were.
    public static func capped(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var kept: [Diagnostic] = []
        var errors = 0, droppedErrors = 0, droppedOthers = 0
        for d in diagnostics {
            let isError = d.severity == .error
            if kept.count >= maxDiagnostics || (isError && errors >= maxErrors) {
                if isError { droppedErrors += 1 } else { droppedOthers += 1 }
                continue
            }
            if isError { errors += 1 }
            kept.append(d)
        }
        guard droppedErrors + droppedOthers > 0 else { return kept }
        var parts: [String] = []
        if droppedErrors > 0 { parts.append("\(droppedErrors) more error\(droppedErrors == 1 ? "" : "s")") }
        if droppedOthers > 0 { parts.append("\(droppedOthers) more warning\(droppedOthers == 1 ? "" : "s") and notes") }
        kept.append(.note("diagnostics.limit", parts.joined(separator: " and ") + " not shown", at: nil,
                          help: "fix the errors above first; the rest often follow from them"))
        return kept
    }
}
