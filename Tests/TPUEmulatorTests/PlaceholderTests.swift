import XCTest
@testable import TPUEmulator

// Placeholder until the first real test of this module lands; delete it then.
final class TPUEmulatorPlaceholderTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
