import Foundation
import XCTest
@testable import ConvnetTraining

final class AtomicFileTests: XCTestCase {
    private struct SimulatedCrash: Error {}

    func testWriteCreatesFileAndLeavesNoTemporary() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("summary.json")
        try AtomicFile.write("{\"a\":1}\n", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "{\"a\":1}\n")
        try AtomicFile.write("second", to: url)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "second")
        XCTAssertEqual(try dir.contents(), ["summary.json"])
    }

    func testFailureBeforeRenameKeepsOldFileWholeAndRemovesTemporary() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("ckpt.safetensors")
        try AtomicFile.write(Array("old contents".utf8), to: url)
        var sawTemporary: URL?
        XCTAssertThrowsError(try AtomicFile.write(Array(repeating: 7, count: 100_000), to: url) { tmp in
            // At this moment the new bytes are complete in the temporary, beside the target.
            sawTemporary = tmp
            XCTAssertEqual(try Data(contentsOf: tmp).count, 100_000)
            XCTAssertEqual(tmp.deletingLastPathComponent().path, url.deletingLastPathComponent().path)
            XCTAssertEqual(tmp.lastPathComponent, "ckpt.safetensors.tmp-\(getpid())")
            throw SimulatedCrash()
        }) { XCTAssertTrue($0 is SimulatedCrash) }
        XCTAssertNotNil(sawTemporary)
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), "old contents")
        XCTAssertEqual(try dir.contents(), ["ckpt.safetensors"])
    }

    func testFailureOnFirstWriteLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("plot.svg")
        XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: url) { _ in throw SimulatedCrash() })
        XCTAssertEqual(try dir.contents(), [])
    }

    func testMissingFolderGivesErrorNamingThePath() {
        let url = URL(fileURLWithPath: "/nonexistent-folder-xyz/a.json")
        XCTAssertThrowsError(try AtomicFile.write("x", to: url)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-folder-xyz/a.json"), "\(error)")
        }
    }
}
