import XCTest
@testable import ConvnetData

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetDataPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
