import XCTest

/// The command line's contracts: exit statuses, JSON shapes, flags.
final class CommandLineTests: XCTestCase {
    func testExitStatuses() throws {
        XCTAssertEqual(try runConvnetc(["check", "samples/flowers.convnet"]).status, 0)
        let bad = try runConvnetc(["check", "Tests/ConvnetDriverTests/Golden/dense-on-cube.convnet"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("error: dense needs a flat input"), bad.stderr)
        XCTAssertEqual(try runConvnetc(["summary", "--bogus", "samples/flowers.convnet"]).status, 2)
        XCTAssertEqual(try runConvnetc(["summary", "--input", "12x", "samples/one-line.convnet"]).status, 2)
        XCTAssertEqual(try runConvnetc(["lint", "--disable", "nope", "samples/flowers.convnet"]).status, 2)
        let missing = try runConvnetc(["check", "samples/no-such.convnet"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("samples/no-such.convnet"), missing.stderr)
    }

    func testWarningsOnlyExitZero() throws {
        let r = try runConvnetc(["check", "Tests/ConvnetDriverTests/Golden/softmax-early.convnet"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("warning: softmax"), r.stderr)
    }

    func testInputFlag() throws {
        let r = try runConvnetc(["summary", "--input", "32x32x1", "samples/one-line.convnet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.contains("(None, 32, 32, 32)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("from --input"), r.stdout)
    }

    func testLintOnTheSamples() throws {
        let flowers = try runConvnetc(["lint", "samples/flowers.convnet"])
        XCTAssertEqual(flowers.status, 0)
        XCTAssertFalse(flowers.stdout.contains("warning:"), flowers.stdout)
        XCTAssertTrue(flowers.stdout.contains("0 errors, 0 warnings"), flowers.stdout)

        let playground = try runConvnetc(["lint", "--format", "json", "samples/playground-overfit.convnet"])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(playground.stdout.utf8)) as? [String: Any])
        let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
        let ids = Set(findings.map { $0["id"] as! String })
        XCTAssertTrue(ids.isSuperset(of: ["dense-blowup", "param-budget"]), "\(ids)")
        for f in findings {
            XCTAssertEqual(Set(f.keys), ["id", "severity", "line", "column", "message", "help"])
        }
        XCTAssertEqual(playground.status, 0, "warnings exit 0 without --strict")
        XCTAssertEqual(try runConvnetc(["lint", "--strict", "samples/playground-overfit.convnet"]).status, 1)
        XCTAssertEqual(try runConvnetc(["lint", "--strict", "--disable", "dense-blowup", "--disable", "param-budget",
                                        "samples/playground-overfit.convnet"]).status, 0)

        let dense = try runConvnetc(["lint", "--format", "json", "samples/dense.convnet"])
        XCTAssertTrue(dense.stdout.contains("\"dense-blowup\""), dense.stdout)
    }
}
