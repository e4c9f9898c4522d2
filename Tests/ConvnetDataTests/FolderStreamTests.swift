import XCTest
@testable import ConvnetData

/// A folder larger than the cache limit is streamed, and trains exactly as its cache would.
final class FolderStreamTests: XCTestCase {
    let shape = ImageShape(height: 16, width: 16, channels: 3)

    func testOversizedFolderStreamsTheCachesBatches() throws {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["a", "b", "c"], perClass: 9, size: 20)
        let options = LoadOptions(shape: shape, validationFraction: 0.3, seed: 4, workers: 2)
        let small = StreamOptions(prefetch: 2, cacheLimit: 10 * shape.elementCount)  // 27 images do not fit
        XCTAssertTrue(try DataSourceLoader.isStreamed(data: folder.path, validationData: nil, options: options, stream: small))
        XCTAssertFalse(try DataSourceLoader.isStreamed(data: folder.path, validationData: nil, options: options))
        let streamed = try DataSourceLoader.open(data: folder.path, validationData: nil, options: options, stream: small)
        let cached = try DataSourceLoader.open(data: folder.path, validationData: nil, options: options)
        XCTAssertTrue(streamed is FolderStream)
        XCTAssertTrue(cached is InMemoryDataset)
        XCTAssertEqual(streamed.classNames, cached.classNames)
        XCTAssertEqual(streamed.count(.training), cached.count(.training))
        XCTAssertEqual(streamed.count(.validation), cached.count(.validation))
        let augmentation = Augmentation(flip: true, crop: true)
        for epoch in 0..<2 {
            XCTAssertEqual(try passes(streamed.trainingEpoch(epoch, batchSize: 4, augmentation: augmentation)),
                           try passes(cached.trainingEpoch(epoch, batchSize: 4, augmentation: augmentation)), "epoch \(epoch)")
        }
        XCTAssertEqual(try passes(streamed.evaluation(.validation, batchSize: 5)), try passes(cached.evaluation(.validation, batchSize: 5)))
    }

    /// Every batch's floats and labels.
    func passes(_ batches: any BatchSource, batchSize: Int = 5) throws -> [[Float]] {
        var out: [[Float]] = []
        let size = max(batchSize, 5)
        var images = [Float](repeating: 0, count: size * shape.elementCount)
        var labels = [Int32](repeating: 0, count: size)
        for b in 0..<batches.count {
            let real = try batches.fill(batch: b, into: &images, labels: &labels)
            out.append(Array(images[0..<(real * shape.elementCount)]) + labels[0..<real].map(Float.init))
        }
        return out
    }
}
