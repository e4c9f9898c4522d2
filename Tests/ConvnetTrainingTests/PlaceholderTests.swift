import XCTest
@testable import ConvnetTraining

// Placeholder until the first real test of this module lands; delete it then.
final class ConvnetTrainingPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
