import XCTest
@testable import ConvnetOptimizer

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetOptimizerPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
