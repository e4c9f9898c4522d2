import Foundation
import XCTest

/// Issue 19's crashes, at the command line: every one is now a message and exit status 1 (or 0),
/// never a signal or a backtrace.
final class CrashHardeningTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("convnetc-crash-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func model(_ text: String, _ name: String = "m.convnet") throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Runs convnetc and checks it ended by itself with `status`, without a trap's message.
    @discardableResult
    func expect(_ status: Int32, _ arguments: [String], mentions: String? = nil, environment: [String: String] = [:],
                file: StaticString = #filePath, line: UInt = #line) throws -> CommandResult {
        let r = try runConvnetc(arguments, environment: environment)
        XCTAssertEqual(r.status, status, "\(arguments): \(r.stderr.prefix(2000))", file: file, line: line)
        XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump"), r.stderr, file: file, line: line)
        if let mentions { XCTAssertTrue(r.stderr.contains(mentions), "\(arguments): \(r.stderr.prefix(2000))", file: file, line: line) }
        return r
    }

    func testParameterTotalsPastWhatCanBeCountedAreADiagnosticAtTheLayer() throws {
        let m = try model("input 1x1x1; flatten; dense 2147483647\n" + String(repeating: "dense 2147483647\n", count: 3))
        for command in [["summary", m, "--format", "json"], ["lint", m], ["stats", m], [m], ["check", m]] {
            try expect(1, command, mentions: "this model needs")
        }
        let r = try expect(1, ["check", m])
        XCTAssertTrue(r.stderr.contains("m.convnet:2:1: error"), r.stderr)
    }

    func testMACAndWeightTotalsPastWhatCanBeCounted() throws {
        let macs = try model("input 46340x46340x1\n" + String(repeating: "conv 46340x46340x1\n", count: 3) + "gap; dense 2 softmax")
        try expect(1, ["summary", macs])
        let wide = try model("input 1x1x2147483647; conv 1x1x2147483647; gap; dense 2147483647")
        try expect(1, ["stats", wide])
        try expect(1, [wide, "--dump-ir", "--batch", "1"])
    }

    func testAHugeBatchIsRefusedBeforeAnyProgramIsBuilt() throws {
        let m = TestPaths.sample("one-line.convnet")
        let huge = "9223372036854775807"
        try expect(1, ["stats", m, "--batch", huge], mentions: "more than can be counted")
        try expect(1, [m, "--dump-ir", "--batch", huge], mentions: "more than can be counted")
        try expect(1, ["profile", m, "--target", "tpu", "--batch", huge], mentions: "more than can be counted")
        try expect(1, [m, "--emit-swift", dir.appendingPathComponent("pkg").path, "--batch", huge], mentions: "more than can be counted")
        try expect(1, [m, "--run", "--batch", huge, "--out", dir.appendingPathComponent("run").path,
                       "--data", "synthetic:shapes:5:4"], mentions: "more than can be counted")
        try expect(0, ["lint", m, "--images", huge])
    }

    func testMemoryIsCheckedBeforeAllocating() throws {
        let out = dir.appendingPathComponent("run").path
        // The arena of a batch the machine cannot hold: refused with the figure and a batch that fits.
        let tiny = try model("input 12x12x3; conv 3x3x4 relu; gap; dense 5 softmax")
        let r = try expect(1, [tiny, "--run", "--target", "cpu", "--batch", "1000000", "--data", "synthetic:shapes:5:4",
                               "--out", out], mentions: "of memory is available",
                           environment: ["CONVNETC_MEMORY_LIMIT": String(200 << 20)])
        XCTAssertTrue(r.stderr.contains("pass --batch"), r.stderr)
        // A data set that cannot be held decoded.
        try expect(1, [tiny, "--run", "--target", "cpu", "--data", "synthetic:shapes:5:99999999999", "--out", out,
                       "--overwrite"], mentions: "decoding 499999999995 images")
        // A model whose one image does not fit, on both in-process targets (20 GiB available,
        // whatever the machine has, so nothing large is ever allocated here).
        let big = try model("input 2048x2048x3; conv 3x3x256 relu; gap; dense 5 softmax")
        let limit = ["CONVNETC_MEMORY_LIMIT": String(20 << 30)]
        for target in ["cpu", "tpu"] {
            let r = try expect(1, [big, "--run", "--target", target, "--data", "synthetic:shapes:5:4", "--out", out, "--overwrite"],
                               mentions: "of memory is available", environment: limit)
            XCTAssertTrue(r.stderr.contains("help:"), r.stderr)
        }
    }

    /// `ulimit -v` limits memory as surely as the machine does (an arena is mapped whole): the
    /// budget counts the room left under it, so a program past it is refused, not a failed mmap.
    func testAnAddressSpaceLimitIsMemoryTooMuchForIsRefused() throws {
        let tiny = try model("input 16x16x3; conv 3x3x4 relu; gap; dense 5 softmax")
        let out = dir.appendingPathComponent("run").path
        let r = try runConvnetc(["-c", "ulimit -v 4000000 && exec \"$0\" \"$@\"", TestPaths.convnetc, tiny, "--run", "--target", "cpu",
                                 "--batch", "1000000", "--data", "synthetic:shapes:5:4", "--out", out], shell: true)
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("error: the trainingStep program at batch 1000000 needs 10.5 GiB but only "), r.stderr)
        XCTAssertTrue(r.stderr.contains("of memory is available\nhelp: pass --batch "), r.stderr)
    }

    /// The TPU emulator's step is budgeted as a whole (its own buffers of the global batch and
    /// both programs) and the fix is a global batch that splits over the cores: 4 images per core
    /// need about 32 GiB, so 2 per core (batch 16 on 8 cores) fit in 20 GiB.
    func testTheTPUEmulatorStepIsRefusedWithABatchThatFitsOnItsCores() throws {
        let big = try model("input 2048x2048x3; conv 3x3x256 relu; gap; dense 5 softmax")
        let out = dir.appendingPathComponent("run").path
        let r = try expect(1, [big, "--run", "--target", "tpu", "--data", "synthetic:shapes:5:4", "--out", out],
                           mentions: "error: the TPU emulator's training step at batch 32 (4 per core on 8 cores) needs ",
                           environment: ["CONVNETC_MEMORY_LIMIT": String(20 << 30)])
        XCTAssertTrue(r.stderr.contains("GiB but only 20.0 GiB of memory is available\nhelp: pass --batch 16 or less "
                                        + "(a multiple of the 8 cores; memory grows with the batch)"), r.stderr)
        // One image per core that cannot fit (one activation alone is 4 GiB): a smaller input.
        let huge = try model("input 4096x4096x3; conv 3x3x64 relu; gap; dense 5 softmax", "huge.convnet")
        try expect(1, [huge, "--run", "--target", "tpu", "--cores", "2", "--batch", "2", "--data", "synthetic:shapes:5:4",
                       "--out", out, "--overwrite"], mentions: "help: even one image does not fit: use a smaller input",
                   environment: ["CONVNETC_MEMORY_LIMIT": String(1 << 30)])
    }

    func testModelFilesMustBeRegularFilesOfBoundedSize() throws {
        try expect(1, ["check", "/dev/zero"], mentions: "not a regular file")
        let fifo = dir.appendingPathComponent("pipe.convnet").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try expect(1, ["check", fifo], mentions: "not a regular file")
        let large = dir.appendingPathComponent("large.convnet")
        XCTAssertTrue(FileManager.default.createFile(atPath: large.path, contents: nil))
        let handle = try FileHandle(forWritingTo: large)
        try handle.truncate(atOffset: 17 << 20)
        try handle.close()
        try expect(1, ["check", large.path], mentions: "16 MiB")
    }
}
