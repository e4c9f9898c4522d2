import ConvnetFuzzTargets
import Foundation
import ConvnetTestSupport
import XCTest

/// Replays every committed fuzz input through its target: the seeds (`fuzz/seeds/TARGET/`) and
/// every input that ever crashed one (`fuzz/crashes/TARGET/`), so a fixed crash stays fixed.
/// An input that crashes kills this test process, which fails `make test`.
final class FuzzRegressionTests: XCTestCase {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fuzz")

    func inputs(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let folder = Self.fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    func replay(_ target: FuzzTarget) throws {
        let seeds = inputs("seeds", target), crashes = inputs("crashes", target)
        XCTAssertFalse(seeds.isEmpty, "fuzz/seeds/\(target.rawValue) holds the target's seed corpus")
        for url in seeds + crashes {
            let data = try Data(contentsOf: url)
            let start = threadCPUSeconds()
            data.withUnsafeBytes { target.run($0) }
            XCTAssertLessThan(threadCPUSeconds() - start, 5, "\(url.lastPathComponent) took too long")
        }
    }

    func testFrontend() throws { try replay(.frontend) }
    func testSafetensors() throws { try replay(.safetensors) }
    func testImages() throws { try replay(.images) }
    func testTFRecord() throws { try replay(.tfrecord) }
    func testHDF5() throws { try replay(.hdf5) }
}
