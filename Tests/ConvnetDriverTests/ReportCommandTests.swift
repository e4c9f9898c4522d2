import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `convnetc report RUN_DIR...` over real (tiny) runs, and `evaluate --out`: the contract's table
/// and JSON fields, the picture, and the errors for folders that are not runs.
final class ReportCommandTests: XCTestCase {
    /// The two runs every test reads (trained once: each takes seconds), in a folder of their own.
    nonisolated(unsafe) static var shared: URL!
    nonisolated(unsafe) static var runs: (a: String, b: String)?
    var dir: URL!
    var model: String { Self.shared.appendingPathComponent("tiny.convnet").path }

    override class func setUp() {
        super.setUp()
        shared = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("convnetc-report-runs-" + UUID().uuidString)
        try? FileManager.default.createDirectory(at: shared, withIntermediateDirectories: true)
        try? "input 16x16x3\nconv 3x3x8 relu; maxpool 2; gap; dense 5 softmax\n"
            .write(to: shared.appendingPathComponent("tiny.convnet"), atomically: true, encoding: .utf8)
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: shared)
        super.tearDown()
    }

    override func setUpWithError() throws {
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("convnetc-report-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    /// Run a: 1 epoch; run b: 2 epochs at another learning rate. Trained on first use.
    func trainedRuns() throws -> (a: String, b: String) {
        if let runs = Self.runs { return runs }
        let runs = (a: try trainRun("a", epochs: 1), b: try trainRun("b", epochs: 2, lr: "0.02"))
        Self.runs = runs
        return runs
    }

    /// A copy of run a that a test may change.
    func copyOfRunA() throws -> String {
        let copy = dir.appendingPathComponent("a-copy").path
        try FileManager.default.copyItem(atPath: try trainedRuns().a, toPath: copy)
        return copy
    }

    /// Trains the tiny model on synthetic shapes for `epochs` into `name`; returns the folder.
    func trainRun(_ name: String, epochs: Int, lr: String = "0.01") throws -> String {
        let out = Self.shared.appendingPathComponent(name).path
        let r = try runConvnetc([model, "--run", "--target", "cpu", "--data", "synthetic:shapes:5:20", "--epochs", "\(epochs)",
                                 "--batch", "8", "--lr", lr, "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        return out
    }

    /// A PATH holding only a folder of our own, so no converter is found (or only `fake`).
    func searchPath(with fake: String? = nil) throws -> String {
        let bin = dir.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        if let fake {
            let url = bin.appendingPathComponent("rsvg-convert")
            try fake.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        return bin.path
    }

    func testReportComparesRunsInATableAndOneJSONDocument() throws {
        let (a, b) = try trainedRuns()
        let path = try searchPath()
        let svg = dir.appendingPathComponent("cmp.svg").path

        let text = try runConvnetc(["report", a, b, "-o", svg], environment: ["PATH": path])
        XCTAssertEqual(text.status, 0, text.stderr)
        let lines = text.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, text.stdout)
        for header in ["run", "model", "params", "MACs", "epochs", "time", "best val_acc", "final val_acc"] {
            XCTAssertTrue(lines[0].contains(header), lines[0])
        }
        XCTAssertTrue(lines[1].hasPrefix(a) && lines[1].contains(model) && lines[1].contains("269"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix(b) && lines[2].contains("55.3 k"), lines[2])
        XCTAssertTrue(text.stderr.contains("Wrote \(svg)"), text.stderr)
        XCTAssertTrue(text.stderr.contains("no SVG converter on PATH"), text.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cmp.png").path))

        // The picture: well-formed, one line per run, one marker per epoch.
        let parser = XMLParser(data: try Data(contentsOf: URL(fileURLWithPath: svg)))
        XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        let picture = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertEqual(picture.components(separatedBy: "class=\"series\"").count - 1, 2)
        XCTAssertTrue(picture.contains("data-run=\"\(a)\""))

        let json = try runConvnetc(["report", a, b, "--format", "json", "-o", svg], environment: ["PATH": path])
        XCTAssertEqual(json.status, 0, json.stderr)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        let runs = try XCTUnwrap(document["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 2)
        for run in runs {
            for key in ["run", "model", "parameters", "macs", "epochs", "seconds", "wall_seconds", "best_val_accuracy",
                        "best_epoch", "final_val_accuracy", "stop_reason", "backend", "missing"] {
                XCTAssertNotNil(run[key], key)
            }
            XCTAssertEqual(run["model"] as? String, model)
            XCTAssertEqual(run["parameters"] as? Int, 3 * 3 * 3 * 8 + 8 + 8 * 5 + 5)
            XCTAssertEqual(run["macs"] as? Int, 16 * 16 * 8 * 27 + 8 * 5)
            XCTAssertEqual(run["backend"] as? String, "cpu")
            XCTAssertEqual((run["missing"] as? [Any])?.count, 0)
            let best = try XCTUnwrap(run["best_val_accuracy"] as? Double), final = try XCTUnwrap(run["final_val_accuracy"] as? Double)
            XCTAssertGreaterThanOrEqual(best, final)
        }
        XCTAssertEqual(runs.map { $0["epochs"] as? Int }, [1, 2])
        XCTAssertEqual((document["picture"] as? [String: Any])?["svg"] as? String, svg)
        XCTAssertTrue((document["picture"] as? [String: Any])?["png"] is NSNull)
        XCTAssertTrue(json.stderr.contains("Wrote"), "notes go to stderr")

        // Each run's summary, metrics and curve agree with the table.
        let summary = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: b + "/summary.json"))) as? [String: Any])
        let last = try XCTUnwrap(summary["last"] as? [String: Any])
        XCTAssertEqual(runs[1]["final_val_accuracy"] as? Double, last["val_accuracy"] as? Double)
    }

    func testAConverterOnThePathMakesThePNGAndAFailingOneIsReported() throws {
        let a = try trainedRuns().a
        // Stands in for rsvg-convert: `-o OUT IN` writes a PNG signature to OUT.
        let good = try searchPath(with: "#!/bin/sh\nprintf '\\211PNG\\r\\n\\032\\n' > \"$2\"\n")
        let r = try runConvnetc(["report", a, "-o", dir.appendingPathComponent("pic.png").path], environment: ["PATH": good])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("pic.svg").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("pic.png").path))
        XCTAssertTrue(r.stderr.contains("PNG by rsvg-convert"), r.stderr)

        let bad = try searchPath(with: "#!/bin/sh\necho 'cannot render' >&2\nexit 3\n")
        let failed = try runConvnetc(["report", a, "-o", dir.appendingPathComponent("pic2.svg").path], environment: ["PATH": bad])
        XCTAssertEqual(failed.status, 0, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("rsvg-convert: cannot render"), failed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("pic2.png").path))
    }

    func testFoldersThatAreNotRunsAreErrorsNamingThem() throws {
        let a = try trainedRuns().a
        let empty = dir.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let out = dir.appendingPathComponent("never.svg").path
        let r = try runConvnetc(["report", a, empty, model, dir.appendingPathComponent("nope").path, "-o", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("error: \(empty) is not a run folder"), r.stderr)
        XCTAssertTrue(r.stderr.contains("error: \(model) is a file, not a run folder"), r.stderr)
        XCTAssertTrue(r.stderr.contains("nope: no such folder"), r.stderr)
        XCTAssertEqual(r.stdout, "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "nothing is written when a folder is refused")
        XCTAssertEqual(try runConvnetc(["report"]).status, 2)
    }

    func testARunFromAnOlderConvnetcIsReportedWithWhatItLacks() throws {
        let a = try copyOfRunA()
        // An older convnetc's summary.json: without the model, its size and the wall time.
        let summaryURL = URL(fileURLWithPath: a + "/summary.json")
        var summary = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: summaryURL)) as? [String: Any])
        for key in ["model", "parameters", "macs", "backend", "wall_seconds"] { summary[key] = nil }
        try JSONSerialization.data(withJSONObject: summary).write(to: summaryURL)
        // And a folder holding only the metrics log.
        let bare = dir.appendingPathComponent("bare")
        try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: a + "/metrics.jsonl", toPath: bare.appendingPathComponent("metrics.jsonl").path)

        let r = try runConvnetc(["report", a, bare.path, "--format", "json", "-o", dir.appendingPathComponent("o.svg").path],
                                environment: ["PATH": try searchPath()])
        XCTAssertEqual(r.status, 0, r.stderr)
        let runs = try XCTUnwrap((JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])
        XCTAssertTrue(runs[0]["model"] is NSNull)
        XCTAssertEqual(runs[0]["parameters"] as? Int, 269, "counted from model.safetensors")
        let missing = try XCTUnwrap(runs[0]["missing"] as? [String])
        XCTAssertTrue(missing.contains { $0.contains("older convnetc") }, "\(missing)")
        XCTAssertTrue(missing.contains("parameters counted from model.safetensors"), "\(missing)")
        XCTAssertEqual(runs[1]["epochs"] as? Int, 1)
        XCTAssertEqual(runs[1]["final_val_accuracy"] as? Double, runs[0]["final_val_accuracy"] as? Double)
        XCTAssertTrue(runs[1]["parameters"] is NSNull)
        XCTAssertEqual(runs[1]["missing"] as? [String], ["no summary.json"])
        XCTAssertTrue(r.stderr.contains("note: \(bare.path): no summary.json"), r.stderr)
    }

    func testEvaluateOutWritesThePictures() throws {
        let a = try trainedRuns().a
        let out = dir.appendingPathComponent("eval").path
        let r = try runConvnetc(["evaluate", "--weights", a + "/model.safetensors", model, "--data", "synthetic:shapes:5:20",
                                 "--batch", "8", "--format", "json", "--out", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)), "stdout stays one JSON document")
        for name in ["confusion.svg", "predictions.svg", "misclassified.txt", "confusion.txt", "confusion.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + name), name)
        }
        // The same split and weights as the run's end: the same matrix.
        XCTAssertEqual(try String(contentsOfFile: out + "/confusion.txt", encoding: .utf8),
                       try String(contentsOfFile: a + "/confusion.txt", encoding: .utf8))
        XCTAssertEqual(try String(contentsOfFile: out + "/misclassified.txt", encoding: .utf8),
                       try String(contentsOfFile: a + "/misclassified.txt", encoding: .utf8))
    }
}
