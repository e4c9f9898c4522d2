import Foundation
import XCTest
@testable import ConvnetData

/// tf.train.Example decoding and encoding, the codelab schema, and records TensorFlow wrote.
final class ExampleTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func testEncoderAndParserRoundTripEveryFeatureKind() {
        let features: [(String, ExampleParser.Feature)] = [
            ("image", .bytes([[1, 2, 3], []])), ("class", .int64s([4, -1, 1 << 40])), ("label", .bytes([Array("tulips".utf8)])),
            ("one_hot_class", .floats([0, 1, 0.5, -2])), ("empty", .int64s([])),
        ]
        let parsed = ExampleEncoder.encode(features).withUnsafeBytes { ExampleParser.parse($0) }
        XCTAssertEqual(parsed?["image"], .bytes([[1, 2, 3], []]))
        XCTAssertEqual(parsed?["class"], .int64s([4, -1, 1 << 40]))
        XCTAssertEqual(parsed?["label"], .bytes([Array("tulips".utf8)]))
        XCTAssertEqual(parsed?["one_hot_class"], .floats([0, 1, 0.5, -2]))
        XCTAssertEqual(parsed?["empty"], .int64s([]))
        XCTAssertNil([0x0A, 0xFF, 0x01].withUnsafeBytes { ExampleParser.parse($0) }, "length past the end")
    }

    func testCodelabSchemaReadsImageClassAndLabel() throws {
        let bytes = ShardFixture.example(image: [9, 8, 7], cls: 2, label: "tulips")
        let decoded = try ExampleSchema.codelab.decode(bytes, record: "r")
        XCTAssertEqual(decoded.image, [9, 8, 7])
        XCTAssertEqual(decoded.label, 2)
        XCTAssertEqual(decoded.className, "tulips")
        // Without `label` the class still reads, unnamed.
        XCTAssertNil(try ExampleSchema.codelab.decode(ShardFixture.example(image: [1], cls: 0, label: nil), record: "r").className)
    }

    func testMissingFieldIsAnErrorNamingTheFieldAndTheFlag() {
        let noClass = ShardFixture.example(image: [1], cls: nil, label: "a")
        let error = unwrapError { _ = try ExampleSchema.codelab.decode(noClass, record: "x.tfrec, record 4 at byte 96") }
        XCTAssertEqual(error, .missingFeature(record: "x.tfrec, record 4 at byte 96", feature: "class", flag: "--label-key",
                                              present: "it has 'image', 'label', 'one_hot_class', 'size'"))
        XCTAssertEqual("\(error!)", """
            TFRecord record (x.tfrec, record 4 at byte 96) has no feature 'class'; it has 'image', 'label', 'one_hot_class', 'size'
            help: name the field that holds it with --label-key KEY
            """)
        let noImage = ShardFixture.example(image: nil, cls: 1, label: "a")
        guard case .missingFeature(_, "image", "--image-key", _)? = unwrapError({ _ = try ExampleSchema.codelab.decode(noImage, record: "r") }) else {
            return XCTFail("expected a missing 'image'")
        }
    }

    func testOtherKeysNameOtherFields() throws {
        let bytes = ExampleEncoder.encode([("jpeg", .bytes([[5]])), ("y", .int64s([1]))])
        let schema = ExampleSchema(imageKey: "jpeg", labelKey: "y")
        XCTAssertEqual(try schema.decode(bytes, record: "r").label, 1)
        // A field of the wrong kind is an error, not a silent zero.
        let wrong = ExampleSchema(imageKey: "jpeg", labelKey: "jpeg")
        guard case .badRecord(_, let reason)? = unwrapError({ _ = try wrong.decode(bytes, record: "r") }) else { return XCTFail() }
        XCTAssertTrue(reason.contains("must hold one int64 value"), reason)
        XCTAssertEqual(unwrapError { _ = try ExampleSchema.codelab.decode([0x0A, 0xFF], record: "r") },
                       .badRecord(record: "r", reason: "its data is not a tf.train.Example protobuf"))
    }

    /// `scripts/make_tfrecord_fixture.py`: TensorFlow's TFRecordWriter, the codelab's to_tfrecord.
    func testReadsRecordsWrittenByTensorFlow() throws {
        let path = Self.fixtures.appendingPathComponent("tf-codelab.tfrec").path
        let records = try ShardRecords(path: path, schema: .codelab)
        var items: [ShardRecords.Item] = []
        while let item = try records.next() { items.append(item) }
        XCTAssertTrue(records.skipped.isEmpty)
        XCTAssertEqual(items.map(\.label), [0, 1, 2, 0, 1, 2])
        XCTAssertEqual(items.map(\.className), ["daisy", "roses", "tulips", "daisy", "roses", "tulips"])
        let decoder = ImageDecoder(shape: ImageShape(height: 16, width: 16, channels: 3))
        for (i, item) in items.enumerated() {
            let image = try item.image.withUnsafeBytes { try decoder.decodeResized($0) }
            XCTAssertEqual(image.width, 16)
            let (r, g, b) = image[8, 8]
            XCTAssertEqual(Double(r), Double(40 * i + 20), accuracy: 3, "record \(i)")
            XCTAssertEqual(Double(g), Double(200 - 30 * i), accuracy: 3, "record \(i)")
            XCTAssertEqual(Double(b), 90, accuracy: 3, "record \(i)")
            let parsed = try XCTUnwrap(try TFRecordFileReader.allRecords(path)[i].data.withUnsafeBytes { ExampleParser.parse($0) })
            XCTAssertEqual(parsed["size"], .int64s([16, 16]))
            var hot: [Float] = [0, 0, 0]
            hot[i % 3] = 1
            XCTAssertEqual(parsed["one_hot_class"], .floats(hot))
        }
    }
}

extension TFRecordFileReader {
    static func allRecords(_ path: String) throws -> [Record] {
        let reader = try TFRecordFileReader(path: path)
        var out: [Record] = []
        while let r = reader.next() { out.append(r) }
        return out
    }
}
