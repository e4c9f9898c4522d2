import ConvnetSema
import ConvnetSyntax

/// The front half of the pipeline for one file: load, parse, check. Every command starts here.
public struct FrontendResult: Sendable {
    /// The file's text, when it could be read (diagnostics are rendered against it).
    public var source: SourceFile?
    public var file: ModelFile?
    /// The checked model, when there were no errors.
    public var model: CheckedModel?
    /// Every diagnostic, sorted by position.
    public var diagnostics: [Diagnostic]

    public var hasErrors: Bool { diagnostics.hasErrors }
}

public enum Frontend {
    /// Loads, parses and checks a `.convnet` file.
    public static func check(path: String, inputFlag: TensorShape? = nil) -> FrontendResult {
        switch SourceLoader.load(path: path) {
        case .failure(let diagnostic):
            // An empty source that keeps the path, so the error reads `path: error: ...`.
            return FrontendResult(source: SourceFile(path: path, bytes: []), file: nil, model: nil, diagnostics: [diagnostic])
        case .success(let source):
            return check(source: source, inputFlag: inputFlag, modelDirectory: directory(of: path))
        }
    }

    /// Parses and checks text already in memory (tests, generated files).
    public static func check(source: SourceFile, inputFlag: TensorShape? = nil,
                             modelDirectory: String? = nil) -> FrontendResult {
        let parsed = Parser.parse(source)
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics,
                                            inputFlag: inputFlag, modelDirectory: modelDirectory)
        return FrontendResult(source: source, file: parsed.file, model: sema.model,
                              diagnostics: DiagnosticLimit.capped((parsed.diagnostics + sema.diagnostics).sortedByLocation()))
    }

    /// The folder part of a path (`samples/flowers.convnet` -> `samples`), `.` for a bare name.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The model's display name: the file name without `.convnet`.
    public static func modelName(path: String) -> String {
        var name = path.split(separator: "/").last.map(String.init) ?? path
        if name.hasSuffix(".convnet") { name.removeLast(".convnet".count) }
        return name
    }
}

extension TensorShape {
    /// Parses `HxWxC` as given to `--input`; nil when malformed or not positive.
    public init?(flag: String) {
        let parts = flag.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= Int(Int32.max) }) else {
            return nil
        }
        self = .spatial(parts[0]!, parts[1]!, parts[2]!)
    }
}
