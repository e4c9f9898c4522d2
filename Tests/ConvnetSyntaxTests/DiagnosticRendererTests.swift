import XCTest
@testable import ConvnetSyntax

final class DiagnosticRendererTests: XCTestCase {
    /// The example of the brief, byte for byte.
    func testFlowersExampleExactly() {
        let source = SourceFile(path: "flowers.convnet", text: "input 192x192x3\n# conv\nconv 3x3x0 relu\ngap\ndense 5 softmax\n")
        let result = Parser.parse(source)
        XCTAssertEqual(DiagnosticRenderer.render(result.diagnostics, in: source), """
            flowers.convnet:3:10: error: a convolution needs at least one filter
              3 | conv 3x3x0 relu
                |          ^
            help: write the filter count as the last number, e.g. conv 3x3x32

            """)
    }

    func testRangeIsUnderlinedAndNotesGetTheirOwnExcerpt() {
        let source = SourceFile(path: "m.convnet", text: "conv 3x3x8 stride 2 stride 1\n")
        let diagnostic = Diagnostic.warning("test.id", "stride is given twice", at: SourceRange(20, 26),
                                            help: "keep one", notes: [
                                                DiagnosticNote("first here", at: SourceRange(11, 19)),
                                                DiagnosticNote("no place"),
                                            ])
        XCTAssertEqual(DiagnosticRenderer(source: source).render(diagnostic), """
            m.convnet:1:21: warning: stride is given twice
              1 | conv 3x3x8 stride 2 stride 1
                |                     ^~~~~~
            note: first here
              1 | conv 3x3x8 stride 2 stride 1
                |            ^~~~~~~~
            note: no place
            help: keep one

            """)
    }

    func testWholeFileDiagnostic() {
        let source = SourceFile(path: "dir/empty.convnet", text: "")
        let rendered = DiagnosticRenderer.render(Parser.parse(source).diagnostics, in: source)
        XCTAssertTrue(rendered.hasPrefix("dir/empty.convnet: error: the file has no statements\nhelp: "), rendered)
    }

    func testMissingTokenAtEndOfLastLineWithoutNewline() {
        let source = SourceFile(path: "m", text: "gap\ndense")
        XCTAssertEqual(DiagnosticRenderer.render(Parser.parse(source).diagnostics, in: source), """
            m:2:6: error: expected unit count after 'dense', found end of file
              2 | dense
                |      ^
            help: write the number of units, e.g. dense 5 softmax

            """)
    }

    func testMultiLineRangeIsCutAtTheEndOfItsFirstLine() {
        let source = SourceFile(path: "m", text: "train {\n epochs 1\n}\n")
        let d = Diagnostic.error("x", "block", at: SourceRange(0, 20))
        XCTAssertEqual(DiagnosticRenderer(source: source).render(d), "m:1:1: error: block\n  1 | train {\n    | ^~~~~~~\n")
    }

    func testWideLineNumbersAndMultiByteText() {
        // The caret after a two-byte character: one column of padding per character.
        let text = String(repeating: "\n", count: 99) + "# é é\n"
        let source = SourceFile(path: "m", text: text)
        let d = Diagnostic.error("x", "msg", at: SourceRange(99 + 5, 99 + 7))
        XCTAssertEqual(DiagnosticRenderer(source: source).render(d),
                       "m:100:6: error: msg\n  100 | # é é\n      |     ^\n")
    }

    func testGutterIsSharedByTheExcerptsOfOneDiagnostic() {
        let source = SourceFile(path: "m", text: "input 8x8x1\n" + String(repeating: "gap\n", count: 9) + "input 4x4x1\n")
        let rendered = DiagnosticRenderer.render(Parser.parse(source).diagnostics, in: source)
        XCTAssertEqual(rendered, """
            m:11:1: error: the input size is declared twice
              11 | input 4x4x1
                 | ^~~~~
            note: the first input declaration is here
               1 | input 8x8x1
                 | ^~~~~~~~~~~
            help: keep one input line

            """)
    }

    func testColourOnlyWhenAsked() {
        let source = SourceFile(path: "m", text: "dense 0\n")
        let diagnostics = Parser.parse(source).diagnostics
        let plain = DiagnosticRenderer.render(diagnostics, in: source, useColor: false)
        let coloured = DiagnosticRenderer.render(diagnostics, in: source, useColor: true)
        XCTAssertFalse(plain.contains("\u{1B}["))
        XCTAssertTrue(coloured.contains("\u{1B}[1;31merror:\u{1B}[0m"))
        let warning = DiagnosticRenderer(source: source, useColor: true)
            .render(.warning("w", "careful", at: nil, notes: [DiagnosticNote("see")]))
        XCTAssertTrue(warning.contains("\u{1B}[1;35mwarning:"))
        XCTAssertTrue(warning.contains("\u{1B}[1;36mnote:"))
        // Stripping the escapes gives back the plain text.
        XCTAssertEqual(coloured.replacing(/\x1B\[[0-9;]*m/, with: ""), plain)
    }
}

/// Excerpts of long lines are a window around the caret (issue 19).
final class LongLineExcerptTests: XCTestCase {
    func testALongLineIsClippedAroundTheCaret() {
        let text = String(repeating: "a", count: 500) + "BAD" + String(repeating: "b", count: 500)
        let source = SourceFile(path: "long.convnet", text: text)
        let d = Diagnostic.error("test", "bad here", at: SourceRange(500, 503), help: nil)
        let out = DiagnosticRenderer.render([d], in: source)
        let lines = out.split(separator: "\n")
        XCTAssertEqual(lines.count, 3, out)
        XCTAssertTrue(lines[1].hasPrefix("  1 | ...aaa") && lines[1].contains("BAD") && lines[1].hasSuffix("bbb..."), out)
        XCTAssertLessThan(lines[1].count, 150)
        // The caret sits under BAD.
        let caret = lines[2].firstIndex(of: "^")!
        let bad = lines[1].range(of: "BAD")!.lowerBound
        XCTAssertEqual(lines[2].distance(from: lines[2].startIndex, to: caret), lines[1].distance(from: lines[1].startIndex, to: bad))
        XCTAssertTrue(lines[2].hasSuffix("^~~"), out)
    }
}
