/// What kind of token the lexer found. The text is not stored: it is the token's byte range in
/// the source (Zig style), read back with `SourceFile.text(_:)` only when needed.
public enum TokenKind: Hashable, Sendable {
    case keyword(Keyword)
    case identifier
    /// `32`
    case integer
    /// `0.19`, `1e-3`
    case decimal
    /// `"flowers"`, range includes the quotes.
    case string
    /// The `x` between the numbers of `3x3x32`, only produced right after a number.
    case cross
    case minus
    case leftBrace
    case rightBrace
    /// `(`, `)` and `,` of a block's parameter list and a call's arguments.
    case leftParen
    case rightParen
    case comma
    /// `{name}` (no spaces): a block parameter standing where a number goes. The range covers
    /// the braces; the name is the text between them.
    case placeholder
    case semicolon
    case newline
    /// Bytes the lexer could not make sense of; it has already reported a diagnostic for them,
    /// so the parser skips the statement silently instead of adding a follow-on error.
    case invalid
    case endOfFile

    /// Newlines and `;` end a statement.
    public var isSeparator: Bool { self == .newline || self == .semicolon }
}

/// One token: a kind plus the byte range it covers.
public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    public var range: SourceRange

    public init(_ kind: TokenKind, _ range: SourceRange) {
        self.kind = kind
        self.range = range
    }
}
