import XCTest
@testable import ConvnetSyntax

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetSyntaxPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
