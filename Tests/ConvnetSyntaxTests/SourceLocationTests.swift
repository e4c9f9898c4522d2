import XCTest
@testable import ConvnetSyntax

final class SourceLocationTests: XCTestCase {
    func testLineAndColumnOfOffsets() {
        let source = SourceFile(path: "t", text: "input 1x1x1\nconv 3x3x0 relu\n\ngap")
        XCTAssertEqual(source.location(of: 0), SourceLocation(line: 1, column: 1))
        XCTAssertEqual(source.location(of: 11), SourceLocation(line: 1, column: 12))  // the newline
        XCTAssertEqual(source.location(of: 12), SourceLocation(line: 2, column: 1))
        XCTAssertEqual(source.location(of: 21), SourceLocation(line: 2, column: 10))
        XCTAssertEqual(source.location(of: 28), SourceLocation(line: 3, column: 1))
        XCTAssertEqual(source.location(of: 32), SourceLocation(line: 4, column: 4))    // end of file
    }

    func testCRLFLines() {
        let source = SourceFile(path: "t", text: "gap\r\ndense\r\n")
        XCTAssertEqual(source.lineText(1), "gap")
        XCTAssertEqual(source.lineText(2), "dense")
        XCTAssertEqual(source.location(of: 10), SourceLocation(line: 2, column: 6))
    }

    func testParserReportsMissingTokenOnTheSameLine() {
        // `dense` at the end of line 2: the caret goes just past it, not to line 3.
        let source = SourceFile(path: "t", text: "gap\ndense\r\nflatten\n")
        let diagnostics = Parser.parse(source).diagnostics
        XCTAssertEqual(diagnostics.count, 1)
        let location = diagnostics[0].range.map { source.location(of: $0.start) }
        XCTAssertEqual(location, SourceLocation(line: 2, column: 6))
    }
}
