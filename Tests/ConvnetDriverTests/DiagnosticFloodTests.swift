import ConvnetDriver
import ConvnetSyntax
import Foundation
import ConvnetTestSupport
import XCTest

/// Issue 19's hangs: a file of thousands of errors on one line is checked and reported in a few
/// seconds (it took minutes before the cap; the bound is loose because test machines are shared),
/// with a bounded output.
final class DiagnosticFloodTests: XCTestCase {
    func testSixThousandErrorsOnOneLineAreCappedClippedAndFast() throws {
        let text = String(repeating: "conv 3x3x0; ", count: 6000)  // 72 KB, one line
        XCTAssertEqual(text.utf8.count, 72_000)
        let start = threadCPUSeconds()
        let result = Frontend.check(source: SourceFile(path: "flood.convnet", text: text))
        let rendered = Console.render(result.diagnostics, source: result.source, color: false)
        let seconds = threadCPUSeconds() - start
        XCTAssertLessThan(seconds, 10.0, "check and render took \(seconds) s")
        XCTAssertTrue(result.hasErrors)
        XCTAssertEqual(result.diagnostics.filter { $0.severity == .error }.count, DiagnosticLimit.maxErrors)
        XCTAssertTrue(rendered.contains("5950 more errors not shown"), String(rendered.suffix(300)))
        XCTAssertLessThan(rendered.utf8.count, 100_000, "the output is bounded")
        for line in rendered.split(separator: "\n") { XCTAssertLessThan(line.count, 200, String(line.prefix(300))) }
    }

    func testParsingStaysLinearInTheFileSize() throws {
        func seconds(_ copies: Int) -> Double {
            let text = String(repeating: "conv 3x3x0; flaten; dense x; ", count: copies)
            let start = threadCPUSeconds()
            _ = Frontend.check(source: SourceFile(path: "f.convnet", text: text))
            return threadCPUSeconds() - start
        }
        _ = seconds(250)
        let small = seconds(1000), large = seconds(4000)
        // Four times the text may take about four times as long, not sixteen.
        XCTAssertLessThan(large, max(8 * small, 0.05), "1000 copies: \(small) s, 4000 copies: \(large) s")
    }
}
