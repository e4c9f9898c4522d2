import XCTest
@testable import ConvnetCPU

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetCPUPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
