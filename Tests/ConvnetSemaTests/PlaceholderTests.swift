import XCTest
@testable import ConvnetSema

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetSemaPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
