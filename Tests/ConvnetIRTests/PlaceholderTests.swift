import XCTest
@testable import ConvnetIR

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetIRPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
