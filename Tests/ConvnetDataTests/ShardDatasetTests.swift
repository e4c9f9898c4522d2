import Foundation
import XCTest
@testable import ConvnetData

/// TFRecord shards as a streamed dataset: globs, the held-out shards, damaged shards, the
/// streaming order, and the folder -> shards -> images round trip.
final class ShardDatasetTests: XCTestCase {
    let shape = ImageShape(height: 12, width: 12, channels: 3)

    func open(_ data: String?, validationData: String? = nil, fraction: Double = 0, seed: UInt64 = 1, workers: Int = 2,
              stream: StreamOptions = StreamOptions(cycleLength: 2, shuffleBuffer: 8, prefetch: 2)) throws -> ShardDataset {
        let options = LoadOptions(shape: shape, validationFraction: fraction, seed: seed, workers: workers)
        let source = try DataSourceLoader.open(data: data, validationData: validationData, options: options, stream: stream)
        guard let shards = source as? ShardDataset else { throw XCTSkip("not opened as shards: \(source)") }
        return shards
    }

    /// Every batch of a pass, as the record numbers `ShardFixture.image` wrote into the first pixels.
    func records(_ batches: any BatchSource, batchSize: Int) throws -> [[Int]] {
        var images = [Float](repeating: -1, count: batchSize * shape.elementCount)
        var labels = [Int32](repeating: -1, count: batchSize)
        var out: [[Int]] = []
        for b in 0..<batches.count {
            let real = try batches.fill(batch: b, into: &images, labels: &labels)
            out.append((0..<real).map { row in
                let p = images[(row * shape.elementCount)...]
                let n = Int((p[p.startIndex] * 255).rounded()) + 256 * Int((p[p.startIndex + 1] * 255).rounded())
                XCTAssertEqual(Int(labels[row]), n % 3, "label of record \(n)")
                return n
            })
        }
        return out
    }

    func testGlobFolderAndFileNameTheSameShardsInSortedOrder() throws {
        let folder = TempFolder()
        let paths = ShardFixture.shards(folder, count: 3, perShard: 4)
        folder.write("shards/notes.txt", [1])
        XCTAssertEqual(try ShardGlob.expand(folder.path + "/shards/*.tfrec"), paths)
        XCTAssertEqual(try ShardGlob.expand(folder.path + "/shards"), paths)
        XCTAssertEqual(try ShardGlob.expand(paths[1]), [paths[1]])
        XCTAssertTrue(ShardGlob.isShards(folder.path + "/shards/*.tfrec"))
        XCTAssertTrue(ShardGlob.isShards(folder.path + "/shards"))
        XCTAssertEqual(try DatasetSpec.parse(folder.path + "/shards/s0*.tfrec"), .tfrecord(folder.path + "/shards/s0*.tfrec"))
        XCTAssertEqual(unwrapError { _ = try ShardGlob.expand(folder.path + "/shards/*.tfrecord") },
                       .noShards(pattern: folder.path + "/shards/*.tfrecord"))
    }

    func testSingleGlobHoldsOutTheFirstRoundedFractionOfShards() throws {
        let folder = TempFolder()
        let paths = ShardFixture.shards(folder, count: 5, perShard: 6)
        let glob = folder.path + "/shards/*.tfrec"
        XCTAssertEqual(ShardGlob.split(paths, fraction: 0.19).validation, [paths[0]])  // round(0.95) = 1
        XCTAssertEqual(ShardGlob.split(paths, fraction: 0.3).validation, Array(paths[0..<2]))  // round(1.5) = 2
        XCTAssertEqual(ShardGlob.split(paths, fraction: 0.05).validation, [])
        let ds = try open(glob, fraction: 0.19)
        XCTAssertEqual(ds.count(.training), 24)
        XCTAssertEqual(ds.count(.validation), 6)
        XCTAssertEqual(ds.classNames, ["daisy", "roses", "tulips"])
        XCTAssertEqual(ds.validation.shards.map(\.path), [paths[0]])
        // Evaluation: the validation shard's records in file order, once, the last batch padded.
        XCTAssertEqual(try records(ds.evaluation(.validation, batchSize: 4), batchSize: 4), [[0, 1, 2, 3], [4, 5]])
    }

    func testValidationDataNamesTheValidationShards() throws {
        let folder = TempFolder()
        ShardFixture.shards(folder, count: 3, perShard: 4, under: "train")
        folder.write("val/v.tfrec", ShardFixture.shard(records: 100..<105))
        let ds = try open(folder.path + "/train/*.tfrec", validationData: folder.path + "/val/*.tfrec", fraction: 0.5)
        XCTAssertEqual(ds.count(.training), 12, "the fraction is not applied when validation shards are named")
        XCTAssertEqual(try records(ds.evaluation(.validation, batchSize: 8), batchSize: 8), [Array(100..<105)])
        // Only validation shards: what `evaluate --validation-data` reads.
        let only = try open(nil, validationData: folder.path + "/val/v.tfrec")
        XCTAssertEqual(only.count(.training), 0)
        XCTAssertEqual(only.count(.validation), 5)
        // The same shard in both sets would be used twice.
        XCTAssertEqual(unwrapError { _ = try self.open(folder.path + "/train/*.tfrec", validationData: folder.path + "/train/s00.tfrec") },
                       .shardInBothSets(path: folder.path + "/train/s00.tfrec"))
        // A folder of class folders cannot pair with validation shards.
        Fixture.imageFolder(folder, classes: ["a", "b"], perClass: 2)
        XCTAssertEqual(unwrapError { _ = try DataSourceLoader.open(data: folder.path, validationData: folder.path + "/val/v.tfrec",
                                                                    options: LoadOptions(shape: self.shape)) },
                       .validationDataNeedsShards(data: folder.path))
    }

    func testCorruptTruncatedAndEmptyShardsLoseOnlyTheirDamagedRecords() throws {
        let folder = TempFolder()
        folder.write("d/s00.tfrec", ShardFixture.shard(records: 0..<6))
        var corrupt = ShardFixture.shard(records: 6..<12)
        let first = Int(corrupt.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        let second = 12 + first + 4
        corrupt[second + 12 + 20] ^= 0xFF  // record 1 of s01 (record number 7)
        folder.write("d/s01.tfrec", corrupt)
        let truncated = ShardFixture.shard(records: 12..<18)
        let cutRecord = ShardFixture.shard(records: 12..<17).count  // where record 5 of s02 (17) starts
        folder.write("d/s02.tfrec", Array(truncated.dropLast(30)))  // record 17 cut
        folder.write("d/s03.tfrec", [])
        let ds = try open(folder.path + "/d/*.tfrec")
        XCTAssertEqual(ds.count(.training), 16)
        XCTAssertEqual(ds.training.shards.map(\.records), [6, 5, 5, 0])
        XCTAssertEqual(ds.skipped.map(\.path), ["s01.tfrec, record 1 at byte \(second)", "s02.tfrec, record 5 at byte \(cutRecord)"])
        XCTAssertTrue(ds.skipped[0].reason.contains("CRC"))
        XCTAssertTrue(ds.skipped[1].reason.contains("ends inside"))
        // Every epoch streams exactly the counted records, each once.
        let seen = try records(ds.evaluation(.training, batchSize: 5), batchSize: 5).flatMap { $0 }
        XCTAssertEqual(seen.sorted(), Array(0..<18).filter { $0 != 7 && $0 != 17 })
        let epoch = try records(ds.trainingEpoch(0, batchSize: 4, augmentation: .none), batchSize: 4).flatMap { $0 }
        XCTAssertEqual(epoch.count, 16)
        XCTAssertEqual(Set(epoch).count, 16)
        XCTAssertEqual(Set(epoch), Set(seen))
    }

    func testMissingFieldStopsLoadingWithTheFieldNamed() throws {
        let folder = TempFolder()
        var bytes = ShardFixture.shard(records: 0..<3)
        bytes += TFRecordWriter.frame(ShardFixture.example(image: ShardFixture.image(label: 0, n: 3), cls: nil, label: "daisy"))
        let path = folder.write("m.tfrec", bytes)
        guard case .missingFeature(let record, "class", "--label-key", _)? = unwrapError({ _ = try self.open(path) }) else {
            return XCTFail("expected a missing 'class'")
        }
        XCTAssertTrue(record.hasPrefix("m.tfrec, record 3 at byte "), record)
    }

    func testStreamingIsDeterministicAndEachEpochUsesEveryRecordOnce() throws {
        let folder = TempFolder()
        ShardFixture.shards(folder, count: 6, perShard: 7)
        let glob = folder.path + "/shards/*.tfrec"
        let a = try open(glob, workers: 1, stream: StreamOptions(cycleLength: 3, shuffleBuffer: 10, prefetch: 1))
        let b = try open(glob, workers: 2, stream: StreamOptions(cycleLength: 3, shuffleBuffer: 10, prefetch: 3))
        var epochs: [[Int]] = []
        for epoch in 0..<3 {
            let x = try records(a.trainingEpoch(epoch, batchSize: 5, augmentation: .none), batchSize: 5)
            let y = try records(b.trainingEpoch(epoch, batchSize: 5, augmentation: .none), batchSize: 5)
            XCTAssertEqual(x, y, "epoch \(epoch) depends on the seed and the epoch only, not on threads or timing")
            XCTAssertEqual(x.count, 8, "42 records in full batches of 5")
            let flat = x.flatMap { $0 }
            XCTAssertEqual(Set(flat).count, 40, "no record twice")
            XCTAssertTrue(flat.allSatisfy { (0..<42).contains($0) })
            XCTAssertNotEqual(flat, Array(flat).sorted(), "shuffled")
            epochs.append(flat)
        }
        XCTAssertNotEqual(epochs[0], epochs[1])
        XCTAssertNotEqual(a.shardOrder(epoch: 0), a.shardOrder(epoch: 1))
        // Another seed, another order; the same epoch again (a resumed run), the same order.
        let c = try open(glob, seed: 2, stream: StreamOptions(cycleLength: 3, shuffleBuffer: 10, prefetch: 1))
        XCTAssertNotEqual(try records(c.trainingEpoch(0, batchSize: 5, augmentation: .none), batchSize: 5).flatMap { $0 }, epochs[0])
        XCTAssertEqual(try records(a.trainingEpoch(1, batchSize: 5, augmentation: .none), batchSize: 5).flatMap { $0 }, epochs[1])
    }

    func testAbandonedEpochStopsItsWorker() throws {
        let folder = TempFolder()
        ShardFixture.shards(folder, count: 2, perShard: 20)
        let ds = try open(folder.path + "/shards/*.tfrec", stream: StreamOptions(cycleLength: 2, shuffleBuffer: 4, prefetch: 1))
        for epoch in 0..<20 {  // read one batch and drop the rest, as Ctrl-C does
            let batches = ds.trainingEpoch(epoch, batchSize: 2, augmentation: .none)
            XCTAssertEqual(try records(SingleBatch(inner: batches), batchSize: 2).first?.count, 2)
        }
    }

    func testShuffleBufferMixesWithinItsCapacityOnly() throws {
        final class Numbers: ItemSource {
            var n = 0
            func next() throws(DataError) -> StreamItem? {
                defer { n += 1 }
                return n < 100 ? StreamItem(place: "", bytes: [], label: n) : nil
            }
        }
        let buffer = ShuffleBuffer(input: Numbers(), capacity: 10, seed: 5)
        var out: [Int] = []
        while let item = try buffer.next() { out.append(item.label) }
        XCTAssertEqual(out.sorted(), Array(0..<100))
        // An item can only come out once it entered the buffer: at position i, at most i + 9.
        for (i, v) in out.enumerated() { XCTAssertLessThanOrEqual(v, i + 9) }
        XCTAssertNotEqual(out, Array(0..<100))
    }

    func testFolderToShardsRoundTripKeepsEveryImageAndItsClass() throws {
        let folder = TempFolder()
        for (c, name) in ["cats", "dogs", "owls"].enumerated() {
            for i in 0..<4 { folder.write("photos/\(name)/\(i).jpg", Fixture.jpeg(width: 12, height: 12, seed: c * 10 + i)) }
        }
        folder.write("photos/owls/4.png", Fixture.png(width: 12, height: 12, seed: 5))  // pixels unlike any JPEG's
        folder.write("photos/owls/bad.jpg", Fixture.jpeg(width: 12, height: 12).dropLast(40).map { $0 })
        let out = folder.path + "/out"
        let summary = try TFRecordConverter(folder: folder.path + "/photos", output: out, shards: 4, workers: 2).run()
        // 14 files listed, dealt 4 to a shard (ceil(14 / 4)); the corrupt one is left out of its shard.
        let names = summary.files.map { ($0 as NSString).lastPathComponent }
        XCTAssertEqual(names.map { String($0.prefix(9)) }, ["photos00-", "photos01-", "photos02-", "photos03-"])
        XCTAssertEqual(names.map { Int($0.dropFirst(9).dropLast(6))! }.reduce(0, +), 13)
        XCTAssertEqual(names.map { Int($0.dropFirst(9).dropLast(6))! }.sorted(), [2, 3, 4, 4])
        XCTAssertEqual(summary.records, 13)
        XCTAssertEqual(summary.skipped.map(\.path), ["owls/bad.jpg"])
        // Writing again into the same folder would mix old and new shards.
        XCTAssertThrowsError(try TFRecordConverter(folder: folder.path + "/photos", output: out, shards: 4).run())

        // Every record carries the codelab schema; JPEGs keep their bytes, the PNG became a JPEG.
        var originals: Set<[UInt8]> = []
        for c in ["cats", "dogs", "owls"] { for i in 0..<4 { originals.insert(Fixture.jpeg(width: 12, height: 12, seed: ["cats", "dogs", "owls"].firstIndex(of: c)! * 10 + i)) } }
        var kept = 0
        for file in summary.files {
            for record in try TFRecordFileReader.allRecords(file) {
                let f = try XCTUnwrap(record.data.withUnsafeBytes { ExampleParser.parse($0) })
                guard case .bytes(let image)? = f["image"], case .int64s(let cls)? = f["class"],
                      case .bytes(let label)? = f["label"] else { return XCTFail("schema") }
                XCTAssertEqual(ImageFormat.detect(image[0]), .jpeg)
                XCTAssertEqual(String(decoding: label[0], as: UTF8.self), ["cats", "dogs", "owls"][Int(cls[0])])
                XCTAssertEqual(f["size"], .int64s([12, 12]))
                var hot: [Float] = [0, 0, 0]; hot[Int(cls[0])] = 1
                XCTAssertEqual(f["one_hot_class"], .floats(hot))
                if originals.contains(image[0]) { kept += 1 }
            }
        }
        XCTAssertEqual(kept, 12)

        // Read back: the same images, pixel for pixel, as the folder loader decodes them.
        let shards = try open(out + "/*.tfrec")
        let folderData = try DatasetLoader.load(folder.path + "/photos", options: LoadOptions(shape: shape, validationFraction: 0))
        XCTAssertEqual(shards.classNames, folderData.classNames)
        var fromShards: [[Float]: Int] = [:]
        let pass = shards.evaluation(.training, batchSize: 13)
        var images = [Float](repeating: 0, count: 13 * shape.elementCount)
        var labels = [Int32](repeating: 0, count: 13)
        XCTAssertEqual(try pass.fill(batch: 0, into: &images, labels: &labels), 13)
        for r in 0..<13 { fromShards[Array(images[(r * shape.elementCount)..<((r + 1) * shape.elementCount)])] = Int(labels[r]) }
        var matched = 0
        for i in 0..<folderData.trainCount where folderData.name(.training, i).hasSuffix(".jpg") {
            var pixels = [Float](repeating: 0, count: shape.elementCount)
            folderData.fillImage(.training, i, into: &pixels)
            XCTAssertEqual(fromShards[pixels], folderData.label(.training, i), folderData.name(.training, i))
            matched += 1
        }
        XCTAssertEqual(matched, 12)
    }

    func testSizeResizesAndReencodes() throws {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["a", "b"], perClass: 3, size: 20)
        let summary = try TFRecordConverter(folder: folder.path, output: folder.path + "-out", shards: 1,
                                            size: .init(height: 8, width: 6)).run()
        defer { try? FileManager.default.removeItem(atPath: folder.path + "-out") }
        let records = try TFRecordFileReader.allRecords(summary.files[0])
        XCTAssertEqual(records.count, 6)
        for r in records {
            let f = try XCTUnwrap(r.data.withUnsafeBytes { ExampleParser.parse($0) })
            XCTAssertEqual(f["size"], .int64s([8, 6]))
            guard case .bytes(let image)? = f["image"] else { return XCTFail() }
            let decoded = try image[0].withUnsafeBytes { try JPEGDecoder().decode($0) }
            XCTAssertEqual([decoded.height, decoded.width], [8, 6])
        }
    }
}

/// The first batch of a pass only.
private struct SingleBatch: BatchSource {
    let inner: any BatchSource
    var count: Int { min(1, inner.count) }
    func fill(batch: Int, into images: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>) throws -> Int {
        try inner.fill(batch: batch, into: images, labels: labels)
    }
}

extension ShardDatasetTests {
    func testFilesThatAreNotTFRecordsSayWhy() {
        let folder = TempFolder()
        folder.write("x/a.tfrec", Fixture.jpeg(width: 12, height: 12))
        guard case .noRecords(_, 1, let first?)? = unwrapError({ _ = try self.open(folder.path + "/x/*.tfrec") }) else {
            return XCTFail("expected no records")
        }
        XCTAssertTrue(first.hasPrefix("a.tfrec, record 0 at byte 0: "), first)
    }
}
