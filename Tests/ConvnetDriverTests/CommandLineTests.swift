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

/// `stats` and `--dump-ir`, the optimizer's outputs as a user sees them.
final class OptimizerCommandTests: XCTestCase {
    func testDumpIRShowsFusedConvolutionsWithTilePlans() throws {
        let r = try runConvnetc(["samples/flowers.convnet", "--dump-ir"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let fused = r.stdout.split(separator: "\n").filter { $0.contains("= fusion.conv_bias_relu") }
        XCTAssertEqual(fused.count, 7)
        XCTAssertTrue(fused[1].contains("window=3x3 stride=1 pad=same pool=2x2/2 kernel=mxu_direct"), String(fused[1]))
        XCTAssertTrue(fused[1].contains("tile=128x128"), String(fused[1]))
        XCTAssertTrue(fused[1].contains(": f32[32,192,192,30], f32[32,96,96,30]"), String(fused[1]))
        let all = try runConvnetc(["samples/one-line.convnet", "--dump-ir=all"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(all.stdout.contains("// ---- after fusion ----"), all.stdout)
        XCTAssertEqual(try runConvnetc(["samples/one-line.convnet", "--dump-ir=some"]).status, 2)
    }

    /// `--target cpu` and `--target tpu` print different plans, each with `kernel=` on every
    /// convolution: what that target's executor runs.
    func testDumpIRPrintsEachTargetsPlan() throws {
        var plans: [String: [Substring]] = [:]
        for target in ["cpu", "tpu", "native"] {
            let r = try runConvnetc(["samples/flowers.convnet", "--dump-ir", "--target", target])
            XCTAssertEqual(r.status, 0, r.stderr)
            let convs = r.stdout.split(separator: "\n").filter { $0.contains("= fusion.conv") }
            XCTAssertEqual(convs.count, 7 + 6 + 7, target)  // forward, input gradients, filter gradients
            XCTAssertTrue(convs.allSatisfy { $0.contains(" kernel=") }, target)
            plans[target] = convs
        }
        XCTAssertNotEqual(plans["cpu"], plans["tpu"])
        XCTAssertEqual(plans["cpu"], plans["native"])
        XCTAssertTrue(plans["cpu"]!.contains { $0.contains("kernel=winograd") })
        XCTAssertTrue(plans["tpu"]!.allSatisfy { $0.contains("kernel=mxu_") && $0.contains(" tile=") })
        XCTAssertFalse(plans["cpu"]!.contains { $0.contains(" tile=") })
    }

    func testStatsJSON() throws {
        let r = try runConvnetc(["stats", "--format", "json", "samples/flowers.convnet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertNotNil(json["matmuls"] as? [[String: Any]], "\(json.keys)")
        XCTAssertEqual(try runConvnetc(["stats", "--batch", "0", "samples/flowers.convnet"]).status, 2)
    }
}

/// `profile --target tpu`: the JSON contract other tools consume.
final class ProfileCommandTests: XCTestCase {
    func testProfileJSONContract() throws {
        let r = try runConvnetc(["profile", "--target", "tpu", "--batch", "16", "--format", "json", "samples/one-line.convnet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ops = try XCTUnwrap(json["ops"] as? [[String: Any]])
        XCTAssertFalse(ops.isEmpty)
        for op in ops {
            for key in ["op", "layer", "mxu_cycles", "vpu_cycles", "mxu_utilization", "bytes"] {
                XCTAssertNotNil(op[key], "\(key) missing in \(op)")
            }
        }
        XCTAssertTrue(ops.contains { $0["op"] as? String == "fusion.conv_bias_relu_max_pool" && $0["layer"] as? String == "conv2d" })
        XCTAssertNotNil(json["total_cycles"] as? Int)
        XCTAssertNotNil(json["step_seconds"] as? Double)
        let uneven = try runConvnetc(["profile", "--batch", "12", "samples/one-line.convnet"])
        XCTAssertNotEqual(uneven.status, 0)
        XCTAssertTrue(uneven.stderr.contains("help:"), uneven.stderr)
    }
}
