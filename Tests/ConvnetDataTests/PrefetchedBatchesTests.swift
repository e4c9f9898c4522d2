import Foundation
import XCTest
@testable import ConvnetData

/// The worker-thread filler hands out exactly the wrapped source's batches, in order, and lets go
/// of its thread when a pass is abandoned.
final class PrefetchedBatchesTests: XCTestCase {
    func dataset() throws -> InMemoryDataset {
        try SyntheticShapes(classes: 3, perClass: 12).load(
            options: LoadOptions(shape: ImageShape(height: 16, width: 16, channels: 3), validationFraction: 0.2, seed: 4, workers: 2))
    }

    func batches(_ source: any BatchSource, rows: Int, elements: Int) throws -> ([[Float]], [[Int32]]) {
        var images: [[Float]] = [], labels: [[Int32]] = []
        for b in 0..<source.count {
            var image = [Float](repeating: -1, count: rows * elements)  // (B, H, W, C)
            var label = [Int32](repeating: -1, count: rows)             // (B)
            let real = try image.withUnsafeMutableBufferPointer { img in
                try label.withUnsafeMutableBufferPointer { try source.fill(batch: b, into: img.baseAddress!, labels: $0.baseAddress!) }
            }
            XCTAssertEqual(real, rows)
            images.append(image)
            labels.append(label)
        }
        return (images, labels)
    }

    func testSameBatchesAsTheWrappedSource() throws {
        let ds = try dataset()
        let augmentation = Augmentation(flip: true, cropFraction: 0.8, zoom: 0.1, brightness: 0.1,
                                        contrast: 0.7...1.3, saturation: 0...2)
        let elements = ds.shape.elementCount
        let direct = try batches(ds.trainingEpoch(3, batchSize: 4, augmentation: augmentation), rows: 4, elements: elements)
        let prefetched = PrefetchedBatches(ds.trainingEpoch(3, batchSize: 4, augmentation: augmentation),
                                           imageElements: 4 * elements, labelCount: 4)
        XCTAssertEqual(prefetched.count, ds.trainCount / 4)
        let ahead = try batches(prefetched, rows: 4, elements: elements)
        XCTAssertEqual(ahead.0, direct.0)
        XCTAssertEqual(ahead.1, direct.1)
        XCTAssertTrue(direct.0.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 1 } })
    }

    /// A pass dropped after one batch (Ctrl-C) stops its worker instead of blocking it forever.
    func testAbandonedPassReleasesItsWorker() throws {
        let ds = try dataset()
        var flags: [PrefetchedBatches.WorkerFlag] = []
        for _ in 0..<5 {
            let prefetched = PrefetchedBatches(ds.trainingEpoch(0, batchSize: 2, augmentation: .none),
                                               imageElements: 2 * ds.shape.elementCount, labelCount: 2, depth: 1)
            XCTAssertGreaterThan(prefetched.count, 4)
            var image = [Float](repeating: 0, count: 2 * ds.shape.elementCount)
            var label = [Int32](repeating: 0, count: 2)
            _ = try image.withUnsafeMutableBufferPointer { img in
                try label.withUnsafeMutableBufferPointer { try prefetched.fill(batch: 0, into: img.baseAddress!, labels: $0.baseAddress!) }
            }
            flags.append(prefetched.workerFinished)
        }
        let deadline = Date().addingTimeInterval(10)
        while !flags.allSatisfy(\.isSet), Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertTrue(flags.allSatisfy(\.isSet), "a worker is still waiting after its pass was dropped")
    }
}
