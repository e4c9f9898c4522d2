/// The tokens, comments and lexical errors of one file.
public struct LexResult: Sendable {
    /// Always ends with exactly one `.endOfFile` token.
    public var tokens: [Token]
    public var comments: [Comment]
    public var diagnostics: [Diagnostic]
}

/// Turns `SourceFile.bytes` into tokens. It works on bytes, never on `String`, so invalid UTF-8
/// and NUL bytes are reported at their exact offset instead of crashing or being replaced. It
/// never prints: problems become `.invalid` tokens plus diagnostics.
public struct Lexer {
    private let bytes: [UInt8]
    private var position = 0
    private var tokens: [Token] = []
    private var comments: [Comment] = []
    private var diagnostics: [Diagnostic] = []

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Splits a whole file into tokens.
    public static func tokenize(_ source: SourceFile) -> LexResult {
        var lexer = Lexer(bytes: source.bytes)
        lexer.tokens.reserveCapacity(source.bytes.count / 3 + 1)
        // A UTF-8 byte order mark (some Windows editors write one) is not part of the text.
        if source.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { lexer.position = 3 }
        while lexer.position < lexer.bytes.count { lexer.lexToken() }
        lexer.tokens.append(Token(.endOfFile, .at(source.bytes.count)))
        return LexResult(tokens: lexer.tokens, comments: lexer.comments, diagnostics: lexer.diagnostics)
    }

    // MARK: - Dispatch

    private mutating func lexToken() {
        let start = position
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), 0x0B, 0x0C:
            position += 1
        case UInt8(ascii: "\n"): single(.newline)
        case UInt8(ascii: ";"): single(.semicolon)
        case UInt8(ascii: "{"): if !lexPlaceholder() { single(.leftBrace) }
        case UInt8(ascii: "}"): single(.rightBrace)
        case UInt8(ascii: "("): single(.leftParen)
        case UInt8(ascii: ")"): single(.rightParen)
        case UInt8(ascii: ","): single(.comma)
        case UInt8(ascii: "-"): single(.minus)
        case UInt8(ascii: "#"): lexComment()
        case UInt8(ascii: "\""): lexString()
        case UInt8(ascii: "0")...UInt8(ascii: "9"): lexNumberAndCrosses()
        case 0: lexBadBytes()
        default:
            if Lexer.isWordStart(byte) {
                lexWord()
            } else if byte >= 0x80 {
                if let (scalar, length) = UTF8Scalar.decode(bytes, at: start) {
                    if scalar.properties.isAlphabetic {
                        lexWord()
                    } else {
                        position += length
                        unexpected(scalar: scalar, range: SourceRange(start, position))
                    }
                } else {
                    lexBadBytes()
                }
            } else {
                // A run of other ASCII punctuation or control bytes is one error, not one per byte.
                while position < bytes.count, Lexer.isStray(bytes[position]) { position += 1 }
                let range = SourceRange(start, position)
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                tokens.append(Token(.invalid, range))
                diagnostics.append(.error(
                    "lex.unexpected-character",
                    "unexpected \(range.end - range.start == 1 ? "character" : "characters") '\(Lexer.printable(text))'",
                    at: range,
                    help: "statements are separated by newlines or ';', and '#' starts a comment"))
            }
        }
    }

    private mutating func single(_ kind: TokenKind) {
        tokens.append(Token(kind, SourceRange(position, position + 1)))
        position += 1
    }

    // MARK: - Words and numbers

    /// word = letter { letter | digit | "_" }
    private mutating func lexWord() {
        let start = position
        while position < bytes.count {
            let b = bytes[position]
            if Lexer.isWordStart(b) || Lexer.isDigit(b) {
                position += 1
            } else if b >= 0x80, let (scalar, length) = UTF8Scalar.decode(bytes, at: position),
                      scalar.properties.isAlphabetic {
                position += length
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        let kind: TokenKind = Keyword(word: text).map { .keyword($0) } ?? .identifier
        tokens.append(Token(kind, SourceRange(start, position)))
    }

    /// A number, and when it is directly followed by `x` (as in `3x3x32`), the crosses and the
    /// numbers after them. An `x` right after a number or a cross is always a cross, so that
    /// `3xx3x8` gives the parser a stray `x` to point at.
    private mutating func lexNumberAndCrosses() {
        lexNumber()
        lexCrosses()
    }

    /// The `x`s after a dimension (a number or a `{name}`), each followed by the next dimension
    /// when it is a number; a `{name}` after an `x` is lexed by the main loop, which comes back
    /// here after it.
    private mutating func lexCrosses() {
        while position < bytes.count, bytes[position] == UInt8(ascii: "x") {
            single(.cross)
            if position < bytes.count, Lexer.isDigit(bytes[position]) { lexNumber() }
        }
    }

    /// `{name}` with no spaces, where `name` is a word that is not a keyword: a placeholder for a
    /// block argument. Anything else (`{ conv`, `{gap}`) leaves `{` to be a brace. An `x` right
    /// after the placeholder is a dimension separator (`{k}x{k}x32`).
    private mutating func lexPlaceholder() -> Bool {
        let start = position
        var end = start + 1
        guard end < bytes.count, Lexer.isWordStart(bytes[end]) else { return false }
        while end < bytes.count, Lexer.isWordStart(bytes[end]) || Lexer.isDigit(bytes[end]) { end += 1 }
        guard end < bytes.count, bytes[end] == UInt8(ascii: "}") else { return false }
        let name = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        guard Keyword(word: name) == nil else { return false }
        position = end + 1
        tokens.append(Token(.placeholder, SourceRange(start, position)))
        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "x"),
           Lexer.isDigit(bytes[position + 1]) || bytes[position + 1] == UInt8(ascii: "{") {
            lexCrosses()
        }
        return true
    }

    /// number = digit { digit } [ "." digit { digit } ] [ ("e" | "E") [ "+" | "-" ] digit { digit } ]
    private mutating func lexNumber() {
        let start = position
        var isDecimal = false
        skipDigits()
        if peekByte(0) == UInt8(ascii: "."), let next = peekByte(1), Lexer.isDigit(next) {
            isDecimal = true
            position += 1
            skipDigits()
        }
        if let e = peekByte(0), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            let signed = peekByte(1) == UInt8(ascii: "+") || peekByte(1) == UInt8(ascii: "-")
            if let digit = peekByte(signed ? 2 : 1), Lexer.isDigit(digit) {
                isDecimal = true
                position += signed ? 2 : 1
                skipDigits()
            }
        }
        // Letters, digits, `_` or `.` glued to a number (other than the `x` of a dimension)
        // make the whole run one malformed number, e.g. `16relu` or `0.5.3`.
        if let b = peekByte(0), b != UInt8(ascii: "x"),
           Lexer.isWordStart(b) || b == UInt8(ascii: ".") || b >= 0x80 {
            while let b = peekByte(0), b != UInt8(ascii: "x"),
                  Lexer.isWordStart(b) || Lexer.isDigit(b) || b == UInt8(ascii: ".") {
                position += 1
            }
            let range = SourceRange(start, position)
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            tokens.append(Token(.invalid, range))
            diagnostics.append(.error(
                "lex.malformed-number", "malformed number '\(Lexer.printable(text))'", at: range,
                help: "write a whole number like 32 or a decimal like 0.001, with a space before any word"))
            return
        }
        tokens.append(Token(isDecimal ? .decimal : .integer, SourceRange(start, position)))
    }

    private mutating func skipDigits() {
        while let b = peekByte(0), Lexer.isDigit(b) { position += 1 }
    }

    private func peekByte(_ ahead: Int) -> UInt8? {
        position + ahead < bytes.count ? bytes[position + ahead] : nil
    }

    // MARK: - Strings and comments

    /// string = '"' { any byte but '"' or newline } '"'
    private mutating func lexString() {
        let start = position
        position += 1
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                tokens.append(Token(.string, SourceRange(start, position)))
                return
            }
            if b == UInt8(ascii: "\n") { break }
            checkTextByte()
        }
        // The rest of the line (without a CR of a CRLF ending) becomes one invalid token.
        var end = position
        if end - 1 > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let range = SourceRange(start, end)
        tokens.append(Token(.invalid, range))
        diagnostics.append(.error(
            "lex.unterminated-string", "unterminated string", at: SourceRange(start, start + 1),
            help: "close the string with '\"' on the same line"))
    }

    /// comment = "#" { any byte but newline }
    private mutating func lexComment() {
        let start = position
        position += 1
        while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { checkTextByte() }
        var end = position
        if end > start + 1, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let text = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        comments.append(Comment(text: text, range: SourceRange(start, end)))
    }

    /// Steps over one character inside a string or comment, reporting NUL and invalid UTF-8.
    private mutating func checkTextByte() {
        let b = bytes[position]
        if b == 0 || (b >= 0x80 && UTF8Scalar.decode(bytes, at: position) == nil) {
            reportBadBytes()
        } else if b >= 0x80, let (_, length) = UTF8Scalar.decode(bytes, at: position) {
            position += length
        } else {
            position += 1
        }
    }

    // MARK: - Bad bytes

    /// NUL bytes or invalid UTF-8 outside strings and comments: an `.invalid` token.
    private mutating func lexBadBytes() {
        let start = position
        reportBadBytes()
        tokens.append(Token(.invalid, SourceRange(start, position)))
    }

    /// Reports one run of NUL bytes or one run of bytes that are not well-formed UTF-8, starting
    /// exactly at `position`, and steps over it.
    private mutating func reportBadBytes() {
        let start = position
        if bytes[position] == 0 {
            while position < bytes.count, bytes[position] == 0 { position += 1 }
            diagnostics.append(.error(
                "lex.nul-byte", "NUL byte in source", at: SourceRange(start, position),
                help: "this looks like a binary file; a model is plain text"))
            return
        }
        while position < bytes.count, bytes[position] >= 0x80,
              UTF8Scalar.decode(bytes, at: position) == nil {
            position += 1
        }
        let shown = bytes[start..<min(position, start + 4)].map { "0x" + Lexer.hex($0) }.joined(separator: " ")
        diagnostics.append(.error(
            "lex.invalid-utf8", "invalid UTF-8 (\(shown)\(position - start > 4 ? " ..." : ""))",
            at: SourceRange(start, position), help: "save the file as UTF-8"))
    }

    private mutating func unexpected(scalar: Unicode.Scalar, range: SourceRange) {
        tokens.append(Token(.invalid, range))
        let help: String
        switch scalar.value {
        case 0x201C, 0x201D: help = "use a plain double quote '\"'"
        case 0x2212, 0x2013: help = "use a plain minus '-'"
        case 0x00D7: help = "use a plain 'x' between dimensions, e.g. 3x3x32"
        default: help = "only ASCII punctuation is part of the language; non-ASCII text belongs in strings and comments"
        }
        diagnostics.append(.error("lex.unexpected-character",
                                  "unexpected character '\(Character(scalar))'", at: range, help: help))
    }

    // MARK: - Byte classes

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    static func isWordStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_")
    }

    /// ASCII bytes that start no token.
    static func isStray(_ b: UInt8) -> Bool {
        guard b > 0, b < 0x80 else { return false }
        switch b {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), 0x0B, 0x0C,
             UInt8(ascii: ";"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "-"),
             UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
             UInt8(ascii: "#"), UInt8(ascii: "\""):
            return false
        default:
            return !isWordStart(b) && !isDigit(b)
        }
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0xF)]])
    }

    /// Control characters shown as `\u{..}` so a message never carries raw control bytes.
    static func printable(_ text: String) -> String {
        text.unicodeScalars.map { s in
            s.value < 0x20 || s.value == 0x7F ? "\\u{\(String(s.value, radix: 16))}" : String(s)
        }.joined()
    }
}
