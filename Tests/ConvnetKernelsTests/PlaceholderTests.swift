import XCTest
@testable import ConvnetKernels

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetKernelsPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
