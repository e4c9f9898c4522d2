import Foundation
import XCTest

/// Issue 19 at the command line: bad flags are refused (exit 2) instead of being misread or
/// silently ignored.
final class HardeningCommandLineTests: XCTestCase {
    let model = TestPaths.sample("one-line.convnet")

    func testHexadecimalLearningRateIsRefused() throws {
        let r = try runConvnetc([model, "--run", "--lr", "0x10", "--epochs", "1"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--lr"), r.stderr)
    }

    func testEmptyOutIsRefused() throws {
        let r = try runConvnetc([model, "--run", "--out", ""])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--out"), r.stderr)
    }

    func testEvaluateRefusesTrainingFlags() throws {
        let r = try runConvnetc(["evaluate", "--weights", "x.safetensors", model, "--resume"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--resume"), r.stderr)
    }

    func testTrainingFlagsWithoutRunAreAnError() throws {
        let r = try runConvnetc([model, "--epochs", "2"])
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stderr.contains("--run"), r.stderr)
        XCTAssertFalse(r.stdout.contains("ok"), r.stdout)
    }
}
