import Foundation
import XCTest
@testable import ConvnetData

/// Decodes the whole flowers set once and prints the time. Skipped unless
/// `CONVNET_DATA_BENCH=1`, because it takes seconds and ~400 MB; run it with
/// `CONVNET_DATA_BENCH=1 swift test -c release --filter FlowersDecodeBenchmark`.
final class FlowersDecodeBenchmark: XCTestCase {
    func testDecodeWholeFlowersSet() throws {
        guard ProcessInfo.processInfo.environment["CONVNET_DATA_BENCH"] == "1" else {
            throw XCTSkip("set CONVNET_DATA_BENCH=1 to decode the flowers set")
        }
        let root = "/work/shared/datasets/flowers"
        guard FileManager.default.fileExists(atPath: root) else { throw XCTSkip("no flowers set at \(root)") }
        let start = Date()
        let ds = try DatasetLoader.load(root, options: LoadOptions(shape: ImageShape(height: 192, width: 192, channels: 3)))
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(ds.trainCount, 2951)
        XCTAssertEqual(ds.validationCount, 719)
        XCTAssertTrue(ds.skipped.isEmpty)
        print(String(format: "flowers: %d images decoded in %.2f s (%.0f images/s)", 3670, seconds, 3670 / seconds))
    }
}
