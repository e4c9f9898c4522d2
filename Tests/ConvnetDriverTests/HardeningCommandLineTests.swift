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

/// `--format json` commands: progress on stderr, exactly one JSON document on stdout.
final class JSONOutputCommandLineTests: XCTestCase {
    func testEvaluateJSONPrintsOneDocumentOnStdout() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("convnetc-json-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("tiny.convnet")
        try """
            input 12x12x3
            conv 3x3x4 relu; maxpool 2; gap; dense 3
            train { data "synthetic:shapes:3:16"; validation 0.25; batch 8; epochs 1 }
            """.write(to: model, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("run").path
        let trained = try runConvnetc([model.path, "--run", "--target", "cpu", "--out", run])
        XCTAssertEqual(trained.status, 0, trained.stderr + trained.stdout)
        let r = try runConvnetc(["evaluate", "--weights", run + "/model.safetensors", model.path, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("Decoding"), r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.stdout)
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        XCTAssertNotNil(object?["accuracy"], r.stdout)
    }
}
