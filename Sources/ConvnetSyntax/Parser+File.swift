/// The top level: the file, its statements, and the `input` statement. Statements inside
/// braces (blocks, branches, residuals) are parsed by the same rule (`Parser+Graph`).
extension ParserState {
    /// file      = { separator } [ statement { separator { separator } statement } { separator } ] EOF
    /// separator = NEWLINE | ";"
    ///
    /// Iterative over statements (a 10,000-layer file never deepens the stack), with a loop
    /// guard asserting that every iteration consumes at least one token.
    mutating func parseFile() {
        var sawStatement = false
        var sawLayerAttempt = false
        var statements: [Statement] = []
        while true {
            skipSeparators()
            if current.kind == .endOfFile { break }
            sawStatement = true
            let before = index
            if !parseStatement(into: &statements, in: .topLevel) { sawLayerAttempt = true }
            assert(index > before, "parser made no progress at token \(index)")
            if index == before { advance() }
        }
        file.statements = statements
        if !sawStatement {
            report(.error("parse.empty-file", "the file has no statements", at: nil,
                          help: "a model needs at least one layer, e.g. conv 3x3x32 relu; gap; dense 5 softmax"))
        } else if !sawLayerAttempt {
            report(.error("parse.no-layers", "the model has no layers", at: nil,
                          help: "add layers after the input, e.g. conv 3x3x32 relu; gap; dense 5 softmax"))
        }
    }

    /// Where a statement stands: what may appear there differs.
    enum StatementContext: Equatable {
        case topLevel
        /// Inside a block definition, a branch or a residual body.
        case body(String)
    }

    /// statement = input | layer | train | block | merge | residual | call
    ///
    /// Appends the statement to `list` when it is well-formed. Returns true for statements that
    /// are not layers (`input`, `train`, `block`), false otherwise, so `parseFile` can tell a
    /// file with no layers from a file whose layers were all wrong.
    mutating func parseStatement(into list: inout [Statement], in context: StatementContext) -> Bool {
        statementFailed = false
        statementStart = current.range.start
        let token = current
        if case .body(let container) = context, case .keyword(let k) = token.kind,
           k == .input || k == .train || k == .block {
            advance()
            report(.error("parse.not-at-top-level", "'\(k.rawValue)' cannot stand inside \(container)", at: token.range,
                          help: k == .block ? "define blocks at the top level of the file, then call them by name here"
                                            : "move the \(k.rawValue) statement to the top level of the file"))
            synchronize()
            return k != .block
        }
        switch token.kind {
        case .keyword(.input):
            recovering { p throws(Recovery) in try p.parseInput() }
            return true
        case .keyword(.train):
            parseTrain()
            return true
        case .keyword(.block):
            parseBlockDefinition()
            return true
        case .keyword(.concat), .keyword(.add):
            if let merge = parseMerge() { list.append(.merge(merge)) }
            return false
        case .keyword(.residual):
            if let residual = parseResidual() { list.append(.residual(residual)) }
            return false
        case .keyword(.branch):
            advance()
            report(.error("parse.branch-outside-merge", "'branch' stands only directly inside concat { ... } or add { ... }",
                          at: token.range,
                          help: "wrap the branches in a merge, e.g. concat { branch { conv 1x1x16 } branch { conv 3x3x16 } }"))
            synchronize()
            return false
        case .keyword(let k) where k.layer != nil:
            if let layer = parseLayer(k.layer!) { list.append(.layer(layer)) }
            return false
        case .keyword(let k) where k.isTrainKey:
            advance()
            report(.error("parse.setting-outside-train",
                          "'\(k.rawValue)' is a training setting, not a layer", at: token.range,
                          help: "put it inside a train block, e.g. train { \(k.rawValue) ... }"))
            synchronize()
            return true
        case .identifier where peek(1).kind == .leftParen:
            if let call = parseCall() { list.append(.call(call)) }
            return false
        case .keyword, .identifier:
            advance()
            let word = text(token)
            report(.error("parse.unknown-layer", "unknown layer '\(Lexer.printable(word))'", at: token.range,
                          help: Suggestion.help(for: word, among: Keyword.statementStarts.map(\.rawValue),
                                                otherwise: "a statement starts with input, "
                                                    + Keyword.layers.map(\.rawValue).joined(separator: ", ")
                                                    + ", concat, add, residual, block, a block call NAME(...) or train")))
            synchronize()
            return false
        case .rightBrace:
            advance()
            report(.error("parse.unmatched-brace", "unexpected '}' with no open block", at: token.range,
                          help: "remove it, or open a block with 'train {', 'block NAME() {', 'residual {' or a merge"))
            synchronize()
            return true
        case .invalid:
            statementFailed = true
            synchronize()
            return false
        case .integer, .decimal, .string, .cross, .minus, .leftBrace, .leftParen, .rightParen, .comma,
             .placeholder, .semicolon, .newline, .endOfFile:
            _ = expected("a layer", id: "parse.expected-statement",
                         help: "a statement starts with a word such as conv, dense or train")
            if token.kind == .leftBrace { skipBalanced() } else { advance() }
            synchronize()
            return false
        }
    }

    /// Runs a statement rule; on a syntax error skips to the next statement.
    mutating func recovering(_ rule: (inout ParserState) throws(Recovery) -> Void) {
        do {
            try rule(&self)
        } catch {
            synchronize()
        }
    }

    /// input = "input" INT "x" INT "x" INT
    mutating func parseInput() throws(Recovery) {
        let keyword = advance()
        let help = "write the input size as HxWxC, e.g. input 192x192x3"
        let names = ["input height", "input width", "input channel count"]
        let dims = try parseDimensions(names, help: help)
        for (name, dim) in zip(names, dims) {
            if let value = dim.value, value < 1 {
                report(.error("parse.zero-size", "\(name) must be at least 1, found \(value)",
                              at: dim.range, help: help))
            }
        }
        let range = SourceRange(keyword.range.start, lastEnd)
        if let first = firstInputRange {
            report(.error("parse.duplicate-input", "the input size is declared twice", at: keyword.range,
                          help: "keep one input line",
                          notes: [DiagnosticNote("the first input declaration is here", at: first)]))
        } else if let firstLayer = firstLayerKeyword {
            report(.error("parse.input-after-layer", "input must come before the first layer",
                          at: keyword.range, help: "move this line to the top of the file",
                          notes: [DiagnosticNote("the first layer is here", at: firstLayer)]))
        }
        if firstInputRange == nil { firstInputRange = range }
        try expectStatementEnd()
        if !statementFailed, file.input == nil {
            file.input = InputDecl(height: dims[0].value ?? 1, width: dims[1].value ?? 1,
                                   channels: dims[2].value ?? 1, range: range)
        }
    }
}
