import ConvnetTestSupport
import XCTest
import ConvnetSyntax
@testable import ConvnetSema

/// Every diagnostic issue 15 lists for the graph language: each at its place, each with a
/// fix, all in one run, none caused by another.
final class GraphDiagnosticTests: XCTestCase {
    private func ids(_ text: String) -> [String] { analyze(text).diagnostics.filter { $0.severity == .error }.map(\.id) }

    private func only(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Diagnostic? {
        let errors = analyze(text).diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(errors.count, 1, "\(errors.map(\.message))", file: file, line: line)
        if let d = errors.first { XCTAssertNotNil(d.help, file: file, line: line); XCTAssertNotNil(d.range, file: file, line: line) }
        return errors.first
    }

    func testMergeOfMismatchedShapesNamesEveryBranch() throws {
        let d = try XCTUnwrap(only("input 8x8x3\nconcat {\n branch { conv 3x3x4 }\n branch { maxpool 2 }\n}\ngap\ndense 2"))
        XCTAssertEqual(d.id, "sema.merge-shape-mismatch")
        XCTAssertTrue(d.message.contains("8x8x4") && d.message.contains("4x4x3"), d.message)
        XCTAssertEqual(d.notes.count, 2)
        let add = try XCTUnwrap(only("input 8x8x3\nadd { branch { conv 3x3x4 }; branch { } }\ngap\ndense 2"))
        XCTAssertEqual(add.id, "sema.merge-shape-mismatch")
        XCTAssertTrue(add.message.contains("8x8x4") && add.message.contains("8x8x3"), add.message)
    }

    func testTooFewBranchesAndBranchOutsideAMerge() {
        XCTAssertEqual(ids("input 8x8x3\nconcat { branch { conv 1x1x2 } }\ngap\ndense 2"), ["parse.too-few-branches"])
        XCTAssertEqual(ids("input 8x8x3\nadd { }\ngap\ndense 2"), ["parse.too-few-branches"])
        XCTAssertEqual(ids("input 8x8x3\nbranch { conv 1x1x2 }\ngap\ndense 2"), ["parse.branch-outside-merge"])
        XCTAssertEqual(ids("input 8x8x3\nconcat { conv 1x1x2 }\ngap\ndense 2"), ["parse.expected-branch"])
    }

    func testUnknownBlockSuggestsTheClosestName() throws {
        let d = try XCTUnwrap(only("block fire(s) { conv 1x1x{s} }\ninput 8x8x3\nfier(2)\ngap\ndense 2"))
        XCTAssertEqual(d.id, "sema.unknown-block")
        XCTAssertEqual(d.help, "did you mean 'fire'?")
    }

    func testWrongArgumentCountAndUndefinedParameter() throws {
        let d = try XCTUnwrap(only("block fire(s, e) { conv 1x1x{s} }\nfire(2)\ngap\ndense 2"))
        XCTAssertEqual(d.id, "sema.block-argument-count")
        XCTAssertTrue(d.message.contains("takes 2 arguments (s, e), but this call gives 1"), d.message)
        let p = try XCTUnwrap(only("block fire(squeeze) { conv 1x1x{sqeeze} }\nfire(2)\ngap\ndense 2"))
        XCTAssertEqual(p.id, "parse.unknown-parameter")
        XCTAssertEqual(p.help, "did you mean 'squeeze'?")
        XCTAssertEqual(ids("conv 1x1x{n}\ngap\ndense 2"), ["parse.placeholder-outside-block"])
    }

    func testRecursiveBlocksAreOneErrorEach() {
        XCTAssertEqual(ids("block a() { conv 1x1x2; a() }\na()\ngap\ndense 2"), ["sema.recursive-block"])
        let (_, diagnostics) = analyze("block a() { b() }\nblock b() { conv 1x1x2; a() }\na()\ngap\ndense 2")
        XCTAssertEqual(diagnostics.map(\.id), ["sema.recursive-block"])
        XCTAssertTrue(diagnostics[0].message.contains("a -> b -> a"), diagnostics[0].message)
    }

    func testResidualThatChangesTheShape() throws {
        let d = try XCTUnwrap(only("input 8x8x3\nresidual { conv 3x3x4 relu }\ngap\ndense 2"))
        XCTAssertEqual(d.id, "sema.residual-changes-shape")
        XCTAssertTrue(d.help!.contains("conv 1x1x3"), d.help!)
    }

    func testDepthwiseAndSeparableFilterCounts() {
        XCTAssertEqual(ids("input 8x8x3\ndwconv 3x3x16\ngap\ndense 2"), ["parse.dwconv-filter-count"])
        XCTAssertEqual(ids("input 8x8x3\nsepconv 3x3 relu\ngap\ndense 2"), ["parse.sepconv-needs-filters"])
    }

    func testMultiplierAndMomentumOutOfRange() {
        XCTAssertEqual(ids("input 8x8x3\ndwconv 3x3 multiplier 0\ngap\ndense 2"), ["parse.out-of-range"])
        XCTAssertEqual(ids("input 8x8x3\nbatchnorm momentum 1.5\ngap\ndense 2"), ["parse.out-of-range"])
        XCTAssertEqual(ids("input 8x8x3\nbatchnorm epsilon 0\ngap\ndense 2"), ["parse.out-of-range"])
        // A block argument is checked where it lands, with a note at the call.
        let (_, diagnostics) = analyze("block b(m) { dwconv 3x3 multiplier {m} }\ninput 8x8x3\nb(0)\ngap\ndense 2")
        XCTAssertEqual(diagnostics.map(\.id), ["sema.argument-out-of-range"])
        XCTAssertEqual(diagnostics.first?.notes.count, 2)
    }

    func testLayerInABlockPointsAtTheCallAndTheLineInside() throws {
        let text = "input 8x8x3\nblock b() {\n  gap\n  conv 3x3x2\n}\nb()\ndense 2"
        let d = try XCTUnwrap(only(text))
        let source = SourceFile(path: "g.convnet", text: text)
        XCTAssertEqual(source.location(of: d.range!.start).line, 4)
        XCTAssertEqual(d.notes.compactMap { $0.range.map { source.location(of: $0.start).line } }, [6])
    }

    func testOneRunReportsEveryErrorWithoutCascades() {
        // Two independent mistakes in two branches, and an unknown block after them.
        let text = """
        input 8x8x3
        concat {
          branch { gap; conv 1x1x2 }
          branch { conv 3x3x2 relu }
        }
        residual { conv 3x3x5 }
        nope(1)
        gap
        dense 2
        """
        XCTAssertEqual(ids(text), ["sema.needs-spatial-input", "sema.unknown-block"])
    }

    func testDeepNestingIsOneErrorAndFast() {
        let depth = 10_000
        let nested = String(repeating: "residual {\n", count: depth) + String(repeating: "}\n", count: depth)
        let start = threadCPUSeconds()
        XCTAssertEqual(ids("input 8x8x3\n" + nested + "gap\ndense 2"), ["parse.nesting-too-deep"])
        let trains = String(repeating: "train {\n", count: depth)
        _ = analyze("conv 3x3x2\n" + trains)
        XCTAssertLessThan(threadCPUSeconds() - start, 10)
    }

    func testExpansionIsCapped() {
        // Each block calls the previous one twice: 2^30 layers if nothing stopped it.
        var text = "input 8x8x3\nblock b0() { activation relu }\n"
        for i in 1...30 { text += "block b\(i)() { b\(i - 1)(); b\(i - 1)() }\n" }
        text += "b30()\ngap\ndense 2\n"
        XCTAssertEqual(ids(text), ["sema.too-many-layers"])
    }
}
