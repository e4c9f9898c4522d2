/// The AST of a file plus every diagnostic found while lexing and parsing it.
public struct ParseResult: Sendable {
    /// Holds only well-formed statements: a layer whose statement had an error is left out, so
    /// the semantic pass never sees it and cannot add follow-on errors.
    public var file: ModelFile
    /// Lexer and parser diagnostics, sorted by position (whole-file ones first).
    public var diagnostics: [Diagnostic]

    public init(file: ModelFile, diagnostics: [Diagnostic]) {
        self.file = file
        self.diagnostics = diagnostics
    }
}

/// The front end's entry point: a hand-written recursive-descent parser, one method per grammar
/// rule (see `grammar/convnet.ebnf`), iterative over statements, with panic-mode recovery at
/// statement boundaries so that one run reports every error.
public enum Parser {
    /// Lexes and parses a whole file. Never fails: problems are returned as diagnostics.
    public static func parse(_ source: SourceFile) -> ParseResult {
        let lexed = Lexer.tokenize(source)
        var parser = ParserState(source: source, tokens: lexed.tokens)
        parser.parseFile()
        var file = parser.file
        file.comments = lexed.comments
        let diagnostics = (lexed.diagnostics + parser.diagnostics).sortedByLocation()
        return ParseResult(file: file, diagnostics: diagnostics)
    }
}
