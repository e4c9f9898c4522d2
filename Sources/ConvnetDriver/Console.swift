import ConvnetSyntax
import Foundation

/// Terminal output: diagnostics to stderr, colour only on a terminal (and never with NO_COLOR).
public enum Console {
    public static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
    public static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    public static func useColor(allowed: Bool) -> Bool {
        allowed && stderrIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    public static func printDiagnostics(_ result: FrontendResult, colorAllowed: Bool) {
        guard !result.diagnostics.isEmpty else { return }
        let text = render(result.diagnostics, source: result.source, color: useColor(allowed: colorAllowed))
        writeError(text)
    }

    /// Renders diagnostics; whole-file problems (no source) print as `path: error: message`.
    public static func render(_ diagnostics: [Diagnostic], source: SourceFile?, color: Bool) -> String {
        let renderer = DiagnosticRenderer(source: source ?? SourceFile(path: "", bytes: []), useColor: color)
        return renderer.render(diagnostics)
    }

    public static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Command-line arguments with `--dump-ir` (no value) spelled `--dump-ir=lowered`, because
    /// ArgumentParser has no options with optional values.
    public static func normalizedArguments() -> [String] {
        Array(CommandLine.arguments.dropFirst()).map { $0 == "--dump-ir" ? "--dump-ir=lowered" : $0 }
    }
}

/// The compiler's version: part of the native target's cache key.
public enum CompilerVersion {
    public static let string = "0.1.0"
}
