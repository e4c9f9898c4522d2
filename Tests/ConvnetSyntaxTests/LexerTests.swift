import XCTest
@testable import ConvnetSyntax

final class LexerTests: XCTestCase {
    private func lex(_ text: String) -> LexResult {
        Lexer.tokenize(SourceFile(path: "t.convnet", text: text))
    }

    /// Kinds and source texts of all tokens, for compact assertions.
    private func shape(_ text: String) -> [String] {
        let source = SourceFile(path: "t.convnet", text: text)
        return Lexer.tokenize(source).tokens.map { token in
            switch token.kind {
            case .keyword(let k): "kw:\(k.rawValue)"
            case .identifier: "id:\(source.text(token.range))"
            case .integer: "int:\(source.text(token.range))"
            case .decimal: "dec:\(source.text(token.range))"
            case .string: "str:\(source.text(token.range))"
            case .cross: "x"
            case .minus: "-"
            case .leftBrace: "{"
            case .rightBrace: "}"
            case .leftParen: "("
            case .rightParen: ")"
            case .comma: ","
            case .placeholder: "ph:\(source.text(token.range))"
            case .semicolon: ";"
            case .newline: "nl"
            case .invalid: "invalid:\(source.text(token.range))"
            case .endOfFile: "eof"
            }
        }
    }

    func testConvStatementTokensAndRanges() {
        let result = lex("conv 3x3x32 relu\n")
        XCTAssertEqual(result.tokens, [
            Token(.keyword(.conv), SourceRange(0, 4)),
            Token(.integer, SourceRange(5, 6)),
            Token(.cross, SourceRange(6, 7)),
            Token(.integer, SourceRange(7, 8)),
            Token(.cross, SourceRange(8, 9)),
            Token(.integer, SourceRange(9, 11)),
            Token(.keyword(.relu), SourceRange(12, 16)),
            Token(.newline, SourceRange(16, 17)),
            Token(.endOfFile, SourceRange(17, 17)),
        ])
        XCTAssertEqual(result.diagnostics, [])
    }

    func testDimensionLiterals() {
        XCTAssertEqual(shape("192x192x3"), ["int:192", "x", "int:192", "x", "int:3", "eof"])
        XCTAssertEqual(shape("1x1x8"), ["int:1", "x", "int:1", "x", "int:8", "eof"])
        // A doubled x stays two crosses so the parser can point at the second one.
        XCTAssertEqual(shape("3xx3x8"), ["int:3", "x", "x", "int:3", "x", "int:8", "eof"])
        // Away from a number, x is an ordinary identifier (not a keyword).
        XCTAssertEqual(shape("3 x 3"), ["int:3", "id:x", "int:3", "eof"])
        XCTAssertEqual(shape("xray"), ["id:xray", "eof"])
    }

    func testNumbers() {
        XCTAssertEqual(shape("0.19 1e-3 2.5E+2 7 007"),
                       ["dec:0.19", "dec:1e-3", "dec:2.5E+2", "int:7", "int:007", "eof"])
        XCTAssertEqual(shape("-3"), ["-", "int:3", "eof"])
        XCTAssertEqual(shape("16relu"), ["invalid:16relu", "eof"])
        XCTAssertEqual(lex("16relu").diagnostics.map(\.id), ["lex.malformed-number"])
        XCTAssertEqual(shape("0.5.3"), ["invalid:0.5.3", "eof"])
    }

    func testKeywordsIdentifiersAndPunctuation() {
        XCTAssertEqual(shape("train { batch 32; data \"a b\" }"),
                       ["kw:train", "{", "kw:batch", "int:32", ";", "kw:data", "str:\"a b\"", "}", "eof"])
        XCTAssertEqual(shape("cnov Conv"), ["id:cnov", "id:Conv", "eof"])
        for keyword in Keyword.allCases {
            XCTAssertEqual(shape(keyword.rawValue), ["kw:\(keyword.rawValue)", "eof"])
        }
    }

    func testCommentsAreCollectedNotTokens() {
        let result = lex("gap # lint: disable=dense-blowup\r\n# second\n")
        XCTAssertEqual(result.comments, [
            Comment(text: " lint: disable=dense-blowup", range: SourceRange(4, 32)),
            Comment(text: " second", range: SourceRange(34, 42)),
        ])
        XCTAssertEqual(result.tokens.map(\.kind), [.keyword(.gap), .newline, .newline, .endOfFile])
    }

    func testCRLFIsANewlinePlusWhitespace() {
        XCTAssertEqual(shape("gap\r\nflatten\r\n"), ["kw:gap", "nl", "kw:flatten", "nl", "eof"])
    }

    func testInvalidUTF8IsReportedAtItsOffset() {
        let source = SourceFile(path: "t", bytes: Array("gap ".utf8) + [0xC3] + Array(" # \u{E9}".utf8) + [0xFF])
        let result = Lexer.tokenize(source)
        XCTAssertEqual(result.diagnostics.map(\.id), ["lex.invalid-utf8", "lex.invalid-utf8"])
        XCTAssertEqual(result.diagnostics.map(\.range), [SourceRange(4, 5), SourceRange(10, 11)])
        // Valid non-ASCII text in a comment is fine; the bad byte inside it is still found.
        XCTAssertEqual(result.comments.count, 1)
    }

    func testNulBytesAreReportedAtTheirOffset() {
        let source = SourceFile(path: "t", bytes: Array("gap".utf8) + [0, 0] + Array("\ndata \"a".utf8) + [0] + Array("b\"".utf8))
        let result = Lexer.tokenize(source)
        XCTAssertEqual(result.diagnostics.map(\.id), ["lex.nul-byte", "lex.nul-byte"])
        XCTAssertEqual(result.diagnostics.map(\.range), [SourceRange(3, 5), SourceRange(13, 14)])
        XCTAssertEqual(result.tokens.map(\.kind),
                       [.keyword(.gap), .invalid, .newline, .keyword(.data), .string, .endOfFile])
    }

    func testUnterminatedString() {
        let result = lex("data \"flowers\nepochs 3")
        XCTAssertEqual(result.diagnostics.map(\.id), ["lex.unterminated-string"])
        XCTAssertEqual(result.diagnostics.first?.range, SourceRange(5, 6))
        XCTAssertEqual(result.tokens.map(\.kind),
                       [.keyword(.data), .invalid, .newline, .keyword(.epochs), .integer, .endOfFile])
    }

    func testStrayCharactersAreOneErrorPerRun() {
        let result = lex("conv 3x3x32 == relu% é")
        XCTAssertEqual(result.diagnostics.map(\.message),
                       ["unexpected characters '=='", "unexpected character '%'"])
        // A non-ASCII letter is part of a word (so "did you mean" can still help).
        XCTAssertEqual(shape("rélu"), ["id:rélu", "eof"])
    }

    func testByteOrderMarkIsSkipped() {
        let source = SourceFile(path: "t", bytes: [0xEF, 0xBB, 0xBF] + Array("gap".utf8))
        let result = Lexer.tokenize(source)
        XCTAssertEqual(result.diagnostics, [])
        XCTAssertEqual(result.tokens, [Token(.keyword(.gap), SourceRange(3, 6)), Token(.endOfFile, .at(6))])
        let broken = SourceFile(path: "t", bytes: [0xEF, 0xBB, 0xBF] + Array("dense".utf8))
        XCTAssertEqual(DiagnosticRenderer.render(Parser.parse(broken).diagnostics, in: broken),
                       "t:1:9: error: expected unit count after 'dense', found end of file\n"
                       + "  1 | dense\n    |      ^\nhelp: write the number of units, e.g. dense 5 softmax\n")
    }

    func testEveryFileEndsWithOneEndOfFileToken() {
        for text in ["", "\n", "gap", "# c", "\"open"] {
            let tokens = lex(text).tokens
            XCTAssertEqual(tokens.last?.kind, .endOfFile, text)
            XCTAssertEqual(tokens.filter { $0.kind == .endOfFile }.count, 1, text)
        }
    }
}
