import Foundation
import XCTest

/// `--mxu RxC` and `--clock MHZ` (issue 6) reach the cost model: the device `profile` models is
/// the one the flags describe, and a malformed value is a usage error.
final class DeviceFlagsTests: XCTestCase {
    func profile(_ flags: [String]) throws -> [String: Any] {
        let result = try runConvnetc(["profile", TestPaths.sample("one-line.convnet"), "--batch", "8", "--format", "json"] + flags)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func testMXUAndClockFlagsChangeTheModelledDevice() throws {
        let base = try profile([])
        XCTAssertEqual(base["clock_hz"] as? Double, 700e6)
        let fast = try profile(["--clock", "1400"])
        XCTAssertEqual(fast["clock_hz"] as? Double, 1400e6)
        let small = try profile(["--mxu", "32x32"])
        let baseCycles = try XCTUnwrap(base["total_cycles"] as? Int), smallCycles = try XCTUnwrap(small["total_cycles"] as? Int)
        XCTAssertNotEqual(smallCycles, baseCycles, "the cost model plans every matmul on the flag's array")
        for bad in [["--mxu", "0x4"], ["--mxu", "128"], ["--clock", "0"]] {
            let result = try runConvnetc(["profile", TestPaths.sample("one-line.convnet")] + bad)
            XCTAssertEqual(result.status, 2, "\(bad): \(result.stderr)")
        }
    }
}
