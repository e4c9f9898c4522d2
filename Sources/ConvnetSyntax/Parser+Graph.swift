/// The statements that shape the model graph: statement bodies in braces, merges and their
/// branches, residuals, block definitions and block calls.
extension ParserState {
    /// body = "{" { separator } [ statement { separator { separator } statement } { separator } ] "}"
    ///
    /// At the `{`. Returns the well-formed statements and whether the body was closed. Nesting
    /// deeper than `nestingLimit` is one error at the `{` that goes too deep, and the rest of
    /// that body is skipped, so parsing stays linear in the file's size.
    mutating func parseBody(in container: String) -> (statements: [Statement], closed: Bool) {
        let brace = current
        if braceDepth >= ParserState.nestingLimit {
            report(.error("parse.nesting-too-deep",
                          "braces nest more than \(ParserState.nestingLimit) deep here", at: brace.range,
                          help: "flatten the model: define a block for the inner part and call it"))
            skipBalanced()
            return ([], true)
        }
        advance()
        braceDepth += 1
        defer { braceDepth -= 1 }
        let outerFailed = statementFailed, outerStart = statementStart
        defer { statementFailed = outerFailed; statementStart = outerStart }
        var statements: [Statement] = []
        while true {
            switch stepInBraces(brace.range, list: container, lastItem: "its last statement") {
            case .closed:
                return (statements, true)
            case .unterminated:
                return (statements, false)
            case .item:
                let before = index
                _ = parseStatement(into: &statements, in: .body(container))
                assert(index > before, "parser made no progress in a body at token \(index)")
                if index == before { advance() }
            }
        }
    }

    /// After a statement's closing `}`: the statement must end there.
    private mutating func endAfterBody(start: Int) {
        statementStart = start
        do { try expectStatementEnd() } catch { synchronize() }
    }

    /// merge  = ( "concat" | "add" ) "{" { separator } { branch { separator } } "}"   (two or more branches)
    /// branch = "branch" body                                                      (empty: the identity)
    mutating func parseMerge() -> MergeDecl? {
        let keyword = advance()
        if firstLayerKeyword == nil { firstLayerKeyword = keyword.range }
        let kind: MergeKind = keyword.kind == .keyword(.concat) ? .concat : .add
        let name = kind.rawValue
        guard current.kind == .leftBrace else {
            _ = expected("'{'", help: "write the branches in braces, e.g. \(name) { branch { conv 1x1x16 } branch { conv 3x3x16 } }")
            synchronize()
            return nil
        }
        let brace = current
        if braceDepth >= ParserState.nestingLimit {
            _ = parseBody(in: name)
            return nil
        }
        advance()
        braceDepth += 1
        var branches: [BranchDecl] = []
        var failed = false
        var closed = false
        loop: while true {
            switch stepInBraces(brace.range, list: name, lastItem: "its last branch") {
            case .closed:
                closed = true
                break loop
            case .unterminated:
                failed = true
                break loop
            case .item(let token) where token.kind == .keyword(.branch):
                let branchKeyword = advance()
                guard current.kind == .leftBrace else {
                    _ = expected("'{'", help: "write the branch's layers in braces, e.g. branch { conv 1x1x16 relu }; an empty branch { } is the input itself")
                    synchronize()
                    failed = true
                    continue
                }
                let (body, bodyClosed) = parseBody(in: "this branch")
                branches.append(BranchDecl(body: body, range: SourceRange(branchKeyword.range.start, lastEnd),
                                           keywordRange: branchKeyword.range))
                if !bodyClosed { failed = true; break loop }
                statementStart = branchKeyword.range.start
                do { try expectStatementEnd() } catch { synchronize(); failed = true }
            case .item(let token):
                statementStart = token.range.start
                advance()
                report(.error("parse.expected-branch", "only branches stand directly inside \(name) { ... }, found \(describe(token))",
                              at: token.range,
                              help: "wrap the layers in a branch: \(name) { branch { conv 1x1x16 } branch { conv 3x3x16 } }"))
                synchronize()
                failed = true
            }
        }
        braceDepth -= 1
        let range = SourceRange(keyword.range.start, lastEnd)
        if closed, !failed, branches.count < 2 {
            report(.error("parse.too-few-branches",
                          "\(name) joins two or more branches, but this one has \(branches.count)", at: keyword.range,
                          help: branches.isEmpty
                            ? "add branches, e.g. \(name) { branch { conv 1x1x16 } branch { conv 3x3x16 } }"
                            : "add another branch (an empty branch { } is the input itself), or write the branch's layers without the \(name)"))
            failed = true
        }
        if closed { endAfterBody(start: keyword.range.start) }
        return failed ? nil : MergeDecl(kind: kind, branches: branches, range: range, keywordRange: keyword.range)
    }

    /// residual = "residual" body        (the body's output plus the input, Keras Add)
    mutating func parseResidual() -> ResidualDecl? {
        let keyword = advance()
        if firstLayerKeyword == nil { firstLayerKeyword = keyword.range }
        guard current.kind == .leftBrace else {
            _ = expected("'{'", help: "write the body in braces, e.g. residual { conv 3x3x64 relu; conv 3x3x64 }")
            synchronize()
            return nil
        }
        let (body, closed) = parseBody(in: "residual")
        let range = SourceRange(keyword.range.start, lastEnd)
        guard closed else { return nil }
        endAfterBody(start: keyword.range.start)
        return ResidualDecl(body: body, range: range, keywordRange: keyword.range)
    }

    /// blockDef = "block" WORD "(" [ WORD { "," WORD } ] ")" body      (top level only)
    mutating func parseBlockDefinition() {
        let keyword = advance()
        let nameToken = current
        guard nameToken.kind == .identifier else {
            if case .keyword(let k) = nameToken.kind {
                advance()
                report(.error("parse.reserved-name", "'\(k.rawValue)' is a keyword and cannot name a block",
                              at: nameToken.range, help: "choose another name, e.g. \(k.rawValue)_block"))
            } else {
                _ = expected("a block name", help: "write the name and parameters, e.g. block fire(squeeze, expand) { ... }")
            }
            synchronize()
            return
        }
        advance()
        let name = text(nameToken)
        var parameters: [Spanned<String>] = []
        do {
            try expect(.leftParen, "'('", help: "write the parameters in parentheses, e.g. block \(name)(filters) { ... }; with none, block \(name)() { ... }")
            if current.kind != .rightParen {
                while true {
                    let p = current
                    if p.kind == .identifier {
                        advance()
                        if let first = parameters.first(where: { $0.value == text(p) }) {
                            report(.error("parse.duplicate-parameter", "parameter '\(text(p))' is given twice", at: p.range,
                                          help: "give each parameter its own name",
                                          notes: [DiagnosticNote("the first '\(text(p))' is here", at: first.range)]))
                        } else {
                            parameters.append(Spanned(text(p), p.range))
                        }
                    } else if case .keyword(let k) = p.kind {
                        advance()
                        report(.error("parse.reserved-name", "'\(k.rawValue)' is a keyword and cannot name a parameter",
                                      at: p.range, help: "choose another name, e.g. \(k.rawValue)_count"))
                    } else {
                        throw expected("a parameter name", help: "parameters are names, e.g. block \(name)(squeeze, expand)")
                    }
                    if current.kind == .comma { advance(); continue }
                    break
                }
            }
            try expect(.rightParen, "')'", help: "close the parameter list, e.g. block \(name)(squeeze, expand) { ... }")
            guard current.kind == .leftBrace else {
                throw expected("'{'", help: "write the block's layers in braces, e.g. block \(name)(...) { conv 1x1x16 relu }")
            }
        } catch {
            synchronize()
            return
        }
        let headerFailed = statementFailed
        blockParameters = parameters.map(\.value)
        // A definition is not a layer: `input` may still follow it.
        let firstLayer = firstLayerKeyword
        let (body, closed) = parseBody(in: "block '\(name)'")
        firstLayerKeyword = firstLayer
        blockParameters = nil
        let decl = BlockDecl(name: Spanned(name, nameToken.range), parameters: parameters, body: body,
                             range: SourceRange(keyword.range.start, lastEnd), keywordRange: keyword.range)
        guard closed else { return }
        endAfterBody(start: keyword.range.start)
        if let first = file.blocks.first(where: { $0.name.value == name }) {
            report(.error("parse.duplicate-block", "block '\(name)' is defined twice", at: nameToken.range,
                          help: "rename one of them",
                          notes: [DiagnosticNote("the first definition is here", at: first.name.range)]))
        } else if !headerFailed {
            file.blocks.append(decl)
        }
    }

    /// call = WORD "(" [ arg { "," arg } ] ")"      arg = INT | "{" WORD "}"
    mutating func parseCall() -> CallDecl? {
        let nameToken = advance()
        if firstLayerKeyword == nil { firstLayerKeyword = nameToken.range }
        let name = text(nameToken)
        advance()  // (
        var arguments: [Spanned<BlockArgument>] = []
        do {
            if current.kind != .rightParen {
                while true {
                    let token = current
                    if token.kind == .placeholder {
                        let range = parsePlaceholder("block argument", isArgument: true)
                        arguments.append(Spanned(.parameter(String(text(range).dropFirst().dropLast())), range))
                    } else {
                        let value = try parseInteger("block argument", help: "block arguments are whole numbers, e.g. \(name)(16, 64)")
                        arguments.append(Spanned(.literal(value.value ?? 0), value.range))
                    }
                    if current.kind == .comma { advance(); continue }
                    break
                }
            }
            try expect(.rightParen, "')'", help: "separate arguments with ',' and close with ')', e.g. \(name)(16, 64)")
            try expectStatementEnd()
        } catch {
            synchronize()
            return nil
        }
        if statementFailed { return nil }
        return CallDecl(name: Spanned(name, nameToken.range), arguments: arguments,
                        range: SourceRange(nameToken.range.start, lastEnd))
    }

    /// Consumes a token of `kind` or reports what was expected.
    private mutating func expect(_ kind: TokenKind, _ what: String, help: String) throws(Recovery) {
        guard current.kind == kind else { throw expected(what, help: help) }
        advance()
    }
}
