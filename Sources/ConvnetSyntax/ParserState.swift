/// Thrown by a grammar rule after it has reported a syntax error; caught at the statement (or
/// train setting) boundary, which skips to the next separator. This is the panic-mode recovery.
struct Recovery: Error {}

/// The parser's cursor over the token array, its error reporting and its recovery. The grammar
/// rules live in extensions (`Parser+File`, `Parser+Layers`, `Parser+Train`, `Parser+Numbers`).
struct ParserState {
    let source: SourceFile
    let tokens: [Token]
    var index = 0
    var diagnostics: [Diagnostic] = []
    var file: ModelFile

    /// Set when anything in the current statement was wrong, so the layer is left out.
    var statementFailed = false
    /// Where the current statement started (for "after 'conv 3x3'" in messages).
    var statementStart = 0
    /// End offset of the last consumed token that was not a separator: where a missing token
    /// at the end of a line is reported, so the caret stays on that line.
    var lastEnd = 0
    /// Inside `train { ... }`, a `}` also ends a statement.
    var inTrainBlock = false
    /// How many statement bodies (`block`, `branch`, `residual`, merges) are open; inside one, a
    /// `}` ends a statement.
    var braceDepth = 0
    /// The deepest nesting of braces accepted; deeper is an error, so hostile input cannot make
    /// the parser (or the expansion after it) recurse without bound.
    static let nestingLimit = 32
    /// The parameters of the block definition being parsed; nil outside one.
    var blockParameters: [String]?
    /// The `{name}`s of the layer statement being parsed.
    var statementPlaceholders: [Placeholder] = []
    /// The first `input` statement, well-formed or not (for "declared twice").
    var firstInputRange: SourceRange?
    /// The keyword of the first layer statement, well-formed or not (for "input after layer").
    var firstLayerKeyword: SourceRange?
    /// The `train` keyword of the first train block (for "two train blocks").
    var firstTrainKeyword: SourceRange?

    init(source: SourceFile, tokens: [Token]) {
        self.source = source
        self.tokens = tokens
        self.file = ModelFile(source: source)
    }

    // MARK: - Cursor

    var current: Token { tokens[index] }

    func peek(_ ahead: Int) -> Token { tokens[Swift.min(index + ahead, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if token.kind != .endOfFile { index += 1 }
        if !token.kind.isSeparator { lastEnd = token.range.end }
        return token
    }

    /// Keywords and identifiers: the tokens that can be a misspelled keyword.
    func isWord(_ token: Token) -> Bool {
        switch token.kind {
        case .keyword, .identifier: true
        default: false
        }
    }

    func text(_ token: Token) -> String { source.text(token.range) }

    func text(_ range: SourceRange) -> String { source.text(range) }

    /// True at a newline, `;`, end of file, or (inside a train block) `}`.
    var atStatementEnd: Bool {
        switch current.kind {
        case .newline, .semicolon, .endOfFile: true
        case .rightBrace: inTrainBlock || braceDepth > 0
        default: false
        }
    }

    mutating func skipSeparators() {
        while current.kind.isSeparator { advance() }
    }

    /// The statement text so far, e.g. `conv 3x3`, for "after '...'" in messages.
    var statementSoFar: String {
        let text = source.text(SourceRange(statementStart, lastEnd))
        return text.count > 40 ? String(text.prefix(37)) + "..." : text
    }

    // MARK: - Reporting

    mutating func report(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error { statementFailed = true }
        diagnostics.append(diagnostic)
    }

    /// Reports "expected WHAT after 'CONTEXT', found X" at the current token, or just past the
    /// previous token when the statement has ended. When the current token is one the lexer
    /// already reported, nothing more is said. Returns the error to throw.
    mutating func expected(_ what: String, id: String = "parse.expected-token", help: String? = nil) -> Recovery {
        statementFailed = true
        let token = current
        guard token.kind != .invalid else { return Recovery() }
        let range = atStatementEnd || token.kind.isSeparator ? SourceRange.at(lastEnd) : token.range
        let context = statementSoFar
        let after = context.isEmpty ? "" : " after '\(context)'"
        report(.error(id, "expected \(what)\(after), found \(describe(token))", at: range, help: help))
        return Recovery()
    }

    /// How a token is named in messages: `'relu'`, `end of line`, `end of file`.
    func describe(_ token: Token) -> String {
        switch token.kind {
        case .newline: return "end of line"
        case .endOfFile: return "end of file"
        default:
            let text = Lexer.printable(text(token))
            return "'" + (text.count > 24 ? String(text.prefix(21)) + "..." : text) + "'"
        }
    }

    // MARK: - Recovery

    /// Skips to the end of the statement. A `{` skips to its matching `}`, so a misspelled
    /// `trian { ... }` is one error, not one per line of the block.
    mutating func synchronize() {
        while !atStatementEnd {
            if current.kind == .leftBrace { skipBalanced() } else { advance() }
        }
    }

    /// At a `{`: steps past its matching `}` (or to the end of the file), iteratively.
    mutating func skipBalanced() {
        var depth = 0
        repeat {
            switch current.kind {
            case .leftBrace: depth += 1
            case .rightBrace: depth -= 1
            case .endOfFile: return
            default: break
            }
            advance()
        } while depth > 0
    }

    /// After a complete statement: anything left on it is trailing garbage.
    mutating func expectStatementEnd(help: String? = nil) throws(Recovery) {
        guard !atStatementEnd else { return }
        statementFailed = true
        let token = current
        guard token.kind != .invalid else { throw Recovery() }
        var help = help ?? "put each statement on its own line, or separate statements with ';'"
        if token.kind == .comma {
            help = "separate a layer's options with spaces, e.g. 'conv 3x3x32 stride 2 relu'; commas separate block arguments only"
        }
        if case .keyword(let k) = token.kind, k.isStatementStart || (inTrainBlock && k.isTrainKey) {
            help = "separate statements with a newline or ';', e.g. '\(statementSoFar); \(text(token)) ...'"
        }
        report(.error("parse.unexpected-token",
                      "unexpected \(describe(token)) after '\(statementSoFar)'", at: token.range, help: help))
        throw Recovery()
    }
}
