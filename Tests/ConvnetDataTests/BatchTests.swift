import XCTest
@testable import ConvnetData

final class BatchTests: XCTestCase {
    /// A small synthetic set: 3 classes x 10 images of 8x8x3.
    func dataset(seed: UInt64 = 11) throws -> InMemoryDataset {
        try SyntheticShapes(classes: 3, perClass: 10).load(
            options: LoadOptions(shape: ImageShape(height: 8, width: 8, channels: 3), validationFraction: 0.3, seed: seed, workers: 2))
    }

    func testTrainingBatchesDropTheLastPartialBatch() throws {
        let ds = try dataset()
        let batches = ds.trainingBatches(epoch: 0, batchSize: 4)
        XCTAssertEqual(batches.count, ds.trainCount / 4)
        XCTAssertEqual(batches.order, ds.epochOrder(epoch: 0))
        let stride = ds.shape.elementCount
        var images = [Float](repeating: -1, count: 4 * stride)  // (B, H, W, C)
        var labels = [Int32](repeating: -1, count: 4)            // (B)
        for b in 0..<batches.count {
            _ = images.withUnsafeMutableBufferPointer { img in
                labels.withUnsafeMutableBufferPointer { lab in
                    batches.fill(batch: b, into: img.baseAddress!, labels: lab.baseAddress!)
                }
            }
            for (row, index) in batches.indices(batch: b).enumerated() {
                XCTAssertEqual(Int(labels[row]), ds.label(.training, index))
                let stored = ds.pixels(.training, index)
                for k in 0..<stride { XCTAssertEqual(images[row * stride + k], Float(stored[k]) / 255) }
            }
        }
    }

    func testEpochOrderDependsOnlyOnSeedAndEpoch() throws {
        let a = try dataset(seed: 3), b = try dataset(seed: 3), c = try dataset(seed: 4)
        XCTAssertEqual(a.epochOrder(epoch: 2), b.epochOrder(epoch: 2))
        XCTAssertNotEqual(a.epochOrder(epoch: 2), a.epochOrder(epoch: 3))
        XCTAssertNotEqual(a.epochOrder(epoch: 2), c.epochOrder(epoch: 2))
        XCTAssertEqual(a.withSeed(4).epochOrder(epoch: 2), c.epochOrder(epoch: 2))
    }

    func testEvaluationBatchesPadTheLastBatch() throws {
        let ds = try dataset()
        let n = ds.validationCount
        let batchSize = [3, 4, 5, 7].first { n % $0 != 0 }!   // so the last batch is partial
        let batches = ds.evaluationBatches(.validation, batchSize: batchSize)
        XCTAssertEqual(batches.count, (n + batchSize - 1) / batchSize)
        let stride = ds.shape.elementCount
        var images = [Float](repeating: -1, count: batchSize * stride)
        var labels = [Int32](repeating: -1, count: batchSize)
        var seen = 0
        for b in 0..<batches.count {
            let real = images.withUnsafeMutableBufferPointer { img in
                labels.withUnsafeMutableBufferPointer { lab in batches.fill(batch: b, into: img.baseAddress!, labels: lab.baseAddress!) }
            }
            for row in 0..<real { XCTAssertEqual(Int(labels[row]), ds.label(.validation, seen + row)) }
            for row in real..<batchSize {
                XCTAssertEqual(labels[row], 0)
                XCTAssertTrue(images[(row * stride)..<((row + 1) * stride)].allSatisfy { $0 == 0 })
            }
            seen += real
        }
        XCTAssertEqual(seen, n)
        XCTAssertNotEqual(n % batchSize, 0, "the fixture should exercise padding")
    }

    func testFlipMirrorsColumns() throws {
        let ds = try dataset()
        let shape = ds.shape
        var plain = [Float](repeating: 0, count: shape.elementCount)
        var flipped = plain
        plain.withUnsafeMutableBufferPointer { ds.fillImage(.training, 0, into: $0.baseAddress!) }
        flipped.withUnsafeMutableBufferPointer {
            ds.fillImage(.training, 0, draw: Augmentation.Draw(mirrored: true, dy: 0, dx: 0), into: $0.baseAddress!)
        }
        for y in 0..<8 { for x in 0..<8 { for c in 0..<3 {
            XCTAssertEqual(flipped[(y * 8 + x) * 3 + c], plain[(y * 8 + 7 - x) * 3 + c])
        } } }
    }

    func testCropShiftsWithEdgeReplication() throws {
        let ds = try dataset()
        var plain = [Float](repeating: 0, count: ds.shape.elementCount)
        var shifted = plain
        plain.withUnsafeMutableBufferPointer { ds.fillImage(.training, 1, into: $0.baseAddress!) }
        shifted.withUnsafeMutableBufferPointer {
            ds.fillImage(.training, 1, draw: Augmentation.Draw(mirrored: false, dy: 1, dx: -1), into: $0.baseAddress!)
        }
        func at(_ a: [Float], _ y: Int, _ x: Int) -> Float { a[(y * 8 + x) * 3] }
        XCTAssertEqual(at(shifted, 0, 3), at(plain, 1, 2))
        XCTAssertEqual(at(shifted, 7, 5), at(plain, 7, 4))   // bottom row replicated
        XCTAssertEqual(at(shifted, 4, 0), at(plain, 5, 0))   // left column replicated
    }

    func testAugmentationIsDeterministicPerImageAndEpoch() {
        let aug = Augmentation(flip: true, crop: true)
        let shape = ImageShape(height: 192, width: 192, channels: 3)
        let d = aug.draw(seed: 1, epoch: 2, index: 3, shape: shape)
        XCTAssertEqual(d, aug.draw(seed: 1, epoch: 2, index: 3, shape: shape))
        let draws = (0..<400).map { aug.draw(seed: 1, epoch: 2, index: $0, shape: shape) }
        XCTAssertTrue(draws.allSatisfy { abs($0.dx) <= 24 && abs($0.dy) <= 24 })
        let flips = draws.filter(\.mirrored).count
        XCTAssertTrue(flips > 150 && flips < 250, "\(flips) of 400 flipped")
        XCTAssertTrue(Set(draws.map(\.dx)).count > 30)
        XCTAssertNotEqual(draws, (0..<400).map { aug.draw(seed: 1, epoch: 3, index: $0, shape: shape) })
        XCTAssertEqual(Augmentation.none.draw(seed: 1, epoch: 2, index: 3, shape: shape), Augmentation.Draw(mirrored: false, dy: 0, dx: 0))
    }

    func testAugmentedBatchesAreReproducible() throws {
        let ds = try dataset()
        let batches = ds.trainingBatches(epoch: 1, batchSize: 5, augmentation: Augmentation(flip: true, crop: true))
        func filled() -> [Float] {
            var images = [Float](repeating: 0, count: 5 * ds.shape.elementCount)
            var labels = [Int32](repeating: 0, count: 5)
            _ = images.withUnsafeMutableBufferPointer { img in
                labels.withUnsafeMutableBufferPointer { batches.fill(batch: 1, into: img.baseAddress!, labels: $0.baseAddress!) }
            }
            return images
        }
        XCTAssertEqual(filled(), filled())
        var plain = [Float](repeating: 0, count: 5 * ds.shape.elementCount)
        var labels = [Int32](repeating: 0, count: 5)
        let unaugmented = ds.trainingBatches(epoch: 1, batchSize: 5)
        _ = plain.withUnsafeMutableBufferPointer { img in
            labels.withUnsafeMutableBufferPointer { unaugmented.fill(batch: 1, into: img.baseAddress!, labels: $0.baseAddress!) }
        }
        XCTAssertNotEqual(filled(), plain)
    }
}
