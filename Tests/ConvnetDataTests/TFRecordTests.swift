import XCTest
@testable import ConvnetData

/// Writes protobuf `tf.train.Example`s and TFRecord framing, the inverse of what is under test.
enum TFRecordFixture {
    static func varint(_ v: UInt64) -> [UInt8] {
        var v = v, out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7F); v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }

    static func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(payload.count)) + payload
    }

    static func example(image: [UInt8], cls: Int64?, label: String?) -> [UInt8] {
        var entries: [[UInt8]] = []
        func entry(_ key: String, _ feature: [UInt8]) -> [UInt8] { field(1, field(1, Array(key.utf8)) + field(2, feature)) }
        entries.append(entry("image", field(1, field(1, image))))
        if let c = cls { entries.append(entry("class", field(3, field(1, varint(UInt64(bitPattern: c)))))) }
        if let l = label { entries.append(entry("label", field(1, field(1, Array(l.utf8))))) }
        entries.append(entry("one_hot_class", field(2, field(1, [0, 0, 128, 63]))))  // [1.0]
        return field(1, entries.flatMap { $0 })
    }

    static func frame(_ data: [UInt8]) -> [UInt8] {
        var length = UInt64(data.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
        func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }
        return lengthBytes + le32(CRC32C.masked(CRC32C.checksum(lengthBytes))) + data + le32(CRC32C.masked(CRC32C.checksum(data)))
    }
}

final class TFRecordTests: XCTestCase {
    let shape = ImageShape(height: 12, width: 12, channels: 3)

    func testCRC32CKnownVectors() {
        // RFC 3720 appendix B.4 and the common "123456789" check value.
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
        XCTAssertEqual(CRC32C.masked(0), 0xa282_ead8)
        XCTAssertEqual(CRC32C.masked(0x0000_8000), 0xa282_ead9)  // bit 15 rotates to bit 0
    }

    func testExampleParserReadsAllFeatureKinds() {
        let bytes = TFRecordFixture.example(image: [1, 2, 3], cls: 4, label: "tulips")
        let f = bytes.withUnsafeBytes { ExampleParser.parse($0) }
        XCTAssertEqual(f?["image"], .bytes([[1, 2, 3]]))
        XCTAssertEqual(f?["class"], .int64s([4]))
        XCTAssertEqual(f?["label"], .bytes([Array("tulips".utf8)]))
        XCTAssertEqual(f?["one_hot_class"], .floats([1]))
        XCTAssertNil([0x0A, 0xFF, 0x01].withUnsafeBytes { ExampleParser.parse($0) }, "length past the end")
    }

    func shard(_ classes: [(Int64, String)], perClass: Int) -> [UInt8] {
        var out: [UInt8] = []
        for (c, name) in classes {
            for i in 0..<perClass {
                out += TFRecordFixture.frame(TFRecordFixture.example(image: Fixture.png(width: 12 + i, height: 12, seed: Int(c)),
                                                                     cls: c, label: name))
            }
        }
        return out
    }

    func testLoadsShardsFromAFolder() throws {
        let folder = TempFolder()
        folder.write("shards/a-00.tfrec", shard([(0, "daisy"), (1, "roses")], perClass: 5))
        folder.write("shards/a-01.tfrec", shard([(2, "tulips"), (1, "roses")], perClass: 5))
        let root = folder.path + "/shards"
        XCTAssertEqual(try DatasetSpec.parse(root), .tfrecord(root))
        let ds = try DatasetLoader.load(root, options: LoadOptions(shape: shape, validationFraction: 0.3))
        XCTAssertEqual(ds.classNames, ["daisy", "roses", "tulips"])
        XCTAssertEqual(ds.trainCount + ds.validationCount, 20)
        XCTAssertTrue(ds.skipped.isEmpty, "\(ds.skipped)")
        XCTAssertEqual(ds.classCounts(.training).reduce(0, +) + ds.classCounts(.validation).reduce(0, +), 20)
        let split = try ValidationSplit(fraction: 0.3)
        for i in 0..<ds.validationCount { XCTAssertEqual(split.split(ofRelativePath: ds.name(.validation, i)), .validation) }
        XCTAssertTrue(ds.name(.training, 0).hasPrefix("a-00.tfrec#"))
    }

    func testCorruptRecordIsSkippedAndTruncatedShardKeepsItsHead() throws {
        let folder = TempFolder()
        var bytes = shard([(0, "a"), (1, "b")], perClass: 3)
        let firstLength = Int(bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        bytes[12 + firstLength / 2] ^= 0xFF            // flip a byte inside record 0's data
        let path = folder.write("one.tfrec", Array(bytes.dropLast(7)))  // and cut the last record
        let ds = try DatasetLoader.load(path, options: LoadOptions(shape: shape, validationFraction: 0))
        XCTAssertEqual(ds.trainCount, 4)
        XCTAssertEqual(ds.skipped.map(\.path), ["one.tfrec#0", "one.tfrec#5"])
        XCTAssertTrue(ds.skipped[0].reason.contains("data CRC mismatch"))
        XCTAssertTrue(ds.skipped[1].reason.contains("truncated"))
    }

    func testRecordWithBadImageOrNoClassIsSkipped() throws {
        let folder = TempFolder()
        var bytes = shard([(0, "a"), (1, "b")], perClass: 2)
        bytes += TFRecordFixture.frame(TFRecordFixture.example(image: Array("text".utf8), cls: 0, label: "a"))
        bytes += TFRecordFixture.frame(TFRecordFixture.example(image: Fixture.png(width: 12, height: 12), cls: nil, label: nil))
        let path = folder.write("x.tfrecord", bytes)
        let ds = try DatasetLoader.load(path, options: LoadOptions(shape: shape, validationFraction: 0))
        XCTAssertEqual(ds.trainCount, 4)
        XCTAssertEqual(Set(ds.skipped.map(\.reason)), ["not a JPEG or PNG file", "no int64 'class' feature"])
    }

    func testSingleClassTFRecordIsAnError() {
        let folder = TempFolder()
        let path = folder.write("x.tfrec", shard([(0, "only")], perClass: 2))
        XCTAssertEqual(unwrapError { _ = try DatasetLoader.load(path, options: LoadOptions(shape: self.shape)) },
                       .tooFewClasses(path: path, found: ["only"]))
    }
}
