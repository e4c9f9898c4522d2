import Foundation
import XCTest
@testable import ConvnetSyntax

/// Keeps `grammar/convnet.ebnf` in step with the lexer's keyword table.
final class GrammarTests: XCTestCase {
    static let grammarURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("grammar/convnet.ebnf")

    func testEveryKeywordAppearsInTheGrammar() throws {
        let grammar = try String(contentsOf: Self.grammarURL, encoding: .utf8)
        for keyword in Keyword.allCases {
            XCTAssertTrue(grammar.contains("\"\(keyword.rawValue)\""), "'\(keyword.rawValue)' is missing from convnet.ebnf")
        }
    }

    func testEveryQuotedWordInTheGrammarIsAKeyword() throws {
        let grammar = try String(contentsOf: Self.grammarURL, encoding: .utf8)
        // Quoted lower-case words longer than one letter must be keywords ("x", "e" are lexical).
        let words = grammar.matches(of: /"([a-z]+)"/).map { String($0.output.1) }.filter { $0.count > 1 }
        XCTAssertFalse(words.isEmpty)
        for word in Set(words) {
            XCTAssertNotNil(Keyword(word: word), "'\(word)' in convnet.ebnf is not in the keyword table")
        }
    }
}
