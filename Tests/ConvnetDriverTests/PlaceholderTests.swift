import XCTest
@testable import ConvnetDriver

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetDriverPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
