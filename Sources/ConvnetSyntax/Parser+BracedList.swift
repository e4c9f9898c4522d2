/// How a braced list ends: a statement body, a merge's branches, the train block. After its `{`,
/// each step skips separators; a `}` closes the list, the end of the file leaves it open (one
/// error at its `{`), and anything else starts the next item. One place, so the lists end alike
/// and say so alike.
extension ParserState {
    enum BracedStep {
        /// The `}` that closes the list (consumed).
        case closed
        /// The file ended first (reported).
        case unterminated
        /// The token that starts the next item (not consumed).
        case item(Token)
    }

    /// One step through the list opened at `brace`: `list` names it in the message ("residual",
    /// "train block"), `lastItem` says where its `}` goes ("its last branch").
    mutating func stepInBraces(_ brace: SourceRange, list: String, lastItem: String) -> BracedStep {
        skipSeparators()
        let token = current
        switch token.kind {
        case .rightBrace:
            advance()
            return .closed
        case .endOfFile:
            reportUnclosed(brace, list: list, lastItem: lastItem,
                           note: DiagnosticNote("the file ends here", at: .at(lastEnd)))
            return .unterminated
        default:
            return .item(token)
        }
    }

    /// "this LIST is never closed" at its `{`, with `note` showing where that became clear.
    mutating func reportUnclosed(_ brace: SourceRange, list: String, lastItem: String, note: DiagnosticNote) {
        report(.error("parse.unterminated-block", "this \(list) is never closed", at: brace,
                      help: "add '}' after \(lastItem)", notes: [note]))
    }
}
