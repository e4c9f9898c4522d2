import Foundation
import XCTest
@testable import ConvnetTraining

final class RunDirectoryTests: XCTestCase {
    func testLayoutLatestPruneAndStaleTemporaries() throws {
        let dir = try TemporaryDirectory()
        let run = try RunDirectory(url: dir.url.appendingPathComponent("run"))
        XCTAssertNil(try run.latestCheckpoint())
        for epoch in [1, 2, 10, 3] { try AtomicFile.write([UInt8(epoch)], to: run.checkpoint(epoch: epoch)) }
        XCTAssertEqual(run.checkpoint(epoch: 3).lastPathComponent, "epoch-003.safetensors")
        try AtomicFile.write("x", to: run.checkpointsFolder.appendingPathComponent("notes.txt"))
        XCTAssertEqual(try run.checkpoints().map(\.epoch), [1, 2, 3, 10])
        XCTAssertEqual(try run.latestCheckpoint()?.epoch, 10)

        try run.pruneCheckpoints(keepingLast: 2, alsoKeeping: [1])
        XCTAssertEqual(try run.checkpoints().map(\.epoch), [1, 3, 10])

        try AtomicFile.write("half", to: run.checkpointsFolder.appendingPathComponent("epoch-011.safetensors.tmp-4242"))
        try AtomicFile.write("half", to: run.url.appendingPathComponent("summary.json.tmp-77"))
        XCTAssertEqual(try run.removeStaleTemporaries(), ["epoch-011.safetensors.tmp-4242", "summary.json.tmp-77"])
        XCTAssertEqual(try run.checkpoints().map(\.epoch), [1, 3, 10])
        XCTAssertEqual(run.metricsLog.lastPathComponent, "metrics.jsonl")
    }
}
