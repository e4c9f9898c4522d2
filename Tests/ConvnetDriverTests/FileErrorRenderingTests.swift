import ConvnetDriver
import ConvnetSyntax
import Foundation
import XCTest

/// A model file that cannot be read at all (missing, a folder, a device) is reported as
/// `path: error: ...`: the path leads the line, as every other diagnostic's does.
final class FileErrorRenderingTests: XCTestCase {
    func testWholeFileErrorsNameTheFileFirst() throws {
        for path in ["/no/such/model.convnet", NSTemporaryDirectory(), "/dev/zero"] {
            let result = Frontend.check(path: path)
            XCTAssertTrue(result.hasErrors, path)
            let rendered = Console.render(result.diagnostics, source: result.source, color: false)
            XCTAssertTrue(rendered.hasPrefix(path + ": error: "), rendered)
        }
    }
}
