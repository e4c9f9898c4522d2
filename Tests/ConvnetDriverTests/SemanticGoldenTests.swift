import ConvnetSyntax
import ConvnetTestSupport
import Foundation
import XCTest
@testable import ConvnetDriver

/// Golden tests of the whole front end (parser + semantic pass) on bad models: each
/// `Golden/NAME.convnet` renders exactly `Golden/NAME.expected`. Re-record with
/// `CONVNETC_RECORD=1 swift test --filter SemanticGoldenTests`.
final class SemanticGoldenTests: XCTestCase {
    func testGoldenFiles() throws {
        let dir = TestPaths.goldenDir
        let names = try FileManager.default.contentsOfDirectory(atPath: dir)
            .filter { $0.hasSuffix(".convnet") }.sorted()
        XCTAssertGreaterThanOrEqual(names.count, 9)
        let record = ProcessInfo.processInfo.environment["CONVNETC_RECORD"] == "1"
        for name in names {
            // Render with the path relative to the repository, as a user would type it.
            let path = "Tests/ConvnetDriverTests/Golden/" + name
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)))
            let source = SourceFile(path: path, bytes: bytes)
            let result = Frontend.check(source: source)
            let rendered = DiagnosticRenderer(source: source, useColor: false).render(result.diagnostics)
            let expectedPath = dir + "/" + name.replacingOccurrences(of: ".convnet", with: ".expected")
            if record {
                try rendered.write(toFile: expectedPath, atomically: true, encoding: .utf8)
                continue
            }
            let expected = (try? String(contentsOfFile: expectedPath, encoding: .utf8)) ?? "<missing \(expectedPath)>"
            if rendered != expected {
                XCTFail("\(name): rendered diagnostics differ from \(expectedPath)\n" + LineDiff.render(expected: expected, actual: rendered))
            }
        }
    }
}
