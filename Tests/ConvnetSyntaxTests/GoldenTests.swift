import ConvnetTestSupport
import Foundation
import XCTest
@testable import ConvnetSyntax

/// Every `Golden/NAME.convnet` is parsed and its diagnostics rendered (no colour) and compared
/// with `Golden/NAME.expected`. Files named `good-*` must produce no diagnostics at all.
/// Re-record with `CONVNETC_RECORD=1 swift test --filter ConvnetSyntaxTests.GoldenTests`.
final class GoldenTests: XCTestCase {
    /// Found next to this file, so no `Bundle.module` (and no Package.swift resources) is needed.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    func testGoldenFiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".convnet") }.sorted()
        XCTAssertGreaterThanOrEqual(names.filter { !$0.hasPrefix("good-") }.count, 25)
        XCTAssertGreaterThanOrEqual(names.filter { $0.hasPrefix("good-") }.count, 3)
        let record = ProcessInfo.processInfo.environment["CONVNETC_RECORD"] == "1"
        for name in names {
            let input = Self.directory.appendingPathComponent(name)
            let expectedURL = input.deletingPathExtension().appendingPathExtension("expected")
            let source = SourceFile(path: name, bytes: [UInt8](try Data(contentsOf: input)))
            let result = Parser.parse(source)
            let actual = DiagnosticRenderer.render(result.diagnostics, in: source)
            if name.hasPrefix("good-") {
                XCTAssertEqual(result.diagnostics, [], "\(name) should have no diagnostics:\n\(actual)")
            } else {
                XCTAssertFalse(result.diagnostics.isEmpty, "\(name) should have at least one diagnostic")
            }
            if record {
                try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
                continue
            }
            guard let expected = try? String(contentsOf: expectedURL, encoding: .utf8) else {
                XCTFail("\(name): missing \(expectedURL.lastPathComponent); run with CONVNETC_RECORD=1")
                continue
            }
            if expected != actual {
                XCTFail("\(name): rendered diagnostics differ (- expected, + actual):\n"
                        + LineDiff.render(expected: expected, actual: actual))
            }
        }
    }
}
