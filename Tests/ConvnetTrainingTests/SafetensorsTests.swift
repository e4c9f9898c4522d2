import Foundation
import XCTest
@testable import ConvnetTraining

/// Byte-level checks of the safetensors writer and reader against the format's definition.
final class SafetensorsTests: XCTestCase {
    /// Little-endian bytes of a header length.
    private func lengthBytes(_ n: Int) -> [UInt8] { (0..<8).map { UInt8((n >> ($0 * 8)) & 0xFF) } }

    private func floatBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8((v.bitPattern >> ($0 * 8)) & 0xFF) } }
    }

    func testEmptyFileMatchesSpec() throws {
        // `{}` padded with six spaces to 8 bytes.
        let expected = lengthBytes(8) + Array("{}      ".utf8)
        XCTAssertEqual(try Safetensors.encode([]), expected)
        XCTAssertEqual(try Safetensors.decode(expected), SafetensorsFile(tensors: []))
    }

    func testMetadataOnlyFileMatchesSpec() throws {
        let json = #"{"__metadata__":{"framework":"pt"}}"#  // 35 bytes -> padded to 40
        let expected = lengthBytes(40) + Array(json.utf8) + Array("     ".utf8)
        XCTAssertEqual(try Safetensors.encode([], metadata: ["framework": "pt"]), expected)
        XCTAssertEqual(try Safetensors.decode(expected).metadata, ["framework": "pt"])
    }

    func testSingleTensorByteExact() throws {
        let values: [Float] = [0, 1, 2, 3, 4, 5]
        let json = #"{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}"#  // 65 -> 72
        XCTAssertEqual(json.utf8.count, 65)
        let expected = lengthBytes(72) + Array(json.utf8) + Array(repeating: 0x20, count: 7) + floatBytes(values)
        let tensor = SafetensorsTensor(name: "attn0", shape: [1, 1, 2, 3], floats: values)
        XCTAssertEqual(try Safetensors.encode([tensor]), expected)
        let back = try Safetensors.decode(expected)
        XCTAssertEqual(back.tensors, [tensor])
        XCTAssertEqual(back.tensors[0].floats, values)
    }

    func testHeaderAlreadyAlignedGetsNoPadding() throws {
        let json = #"{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}"#
        XCTAssertEqual(json.utf8.count, 64)
        let expected = lengthBytes(64) + Array(json.utf8) + floatBytes([0, 1, 2, 3, 4, 5])
        let tensor = SafetensorsTensor(name: "attn.0", shape: [1, 2, 3], floats: [0, 1, 2, 3, 4, 5])
        XCTAssertEqual(try Safetensors.encode([tensor]), expected)
    }

    func testOrderIsWidestDTypeFirstThenNameWithMetadataFirst() throws {
        let b = SafetensorsTensor(name: "b", shape: [1], floats: [1.5])
        let a = SafetensorsTensor(name: "a", shape: [2], floats: [-2, 0.25])
        let step = SafetensorsTensor(name: "z_step", shape: [], int64s: [7])
        let json = #"{"__metadata__":{"k1":"v\"1","k2":"2"},"#
            + #""z_step":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"#
            + #""a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"#
            + #""b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#
        let padded = Array(json.utf8) + Array(repeating: UInt8(0x20), count: (8 - json.utf8.count % 8) % 8)
        let data: [UInt8] = [7, 0, 0, 0, 0, 0, 0, 0] + floatBytes([-2, 0.25, 1.5])
        let expected = lengthBytes(padded.count) + padded + data
        let encoded = try Safetensors.encode([b, step, a], metadata: ["k2": "2", "k1": "v\"1"])
        XCTAssertEqual(String(decoding: encoded[8..<8 + padded.count], as: UTF8.self), String(decoding: padded, as: UTF8.self))
        XCTAssertEqual(encoded, expected)
        let back = try Safetensors.decode(encoded)
        XCTAssertEqual(back.names, ["z_step", "a", "b"])
        XCTAssertEqual(back.tensor(named: "z_step")?.int64s, [7])
        XCTAssertEqual(back.metadata, ["k1": "v\"1", "k2": "2"])
    }

    func testRoundTripThroughFile() throws {
        let dir = try TemporaryDirectory()
        let url = dir.url.appendingPathComponent("w.safetensors")
        let tensors = [
            SafetensorsTensor(name: "conv2d/kernel", shape: [3, 3, 3, 16], floats: (0..<432).map { Float($0) * 0.01 - 2 }),
            SafetensorsTensor(name: "conv2d/bias", shape: [16], floats: Array(repeating: .nan, count: 16)),
            SafetensorsTensor(name: "labels", shape: [2, 2], int32s: [-1, 0, 1, Int32.max]),
        ]
        try Safetensors.write(tensors, metadata: ["format": "x"], to: url)
        let back = try Safetensors.read(from: url)
        XCTAssertEqual(back.names, ["conv2d/bias", "conv2d/kernel", "labels"])
        for t in tensors {
            XCTAssertEqual(back.tensor(named: t.name)?.bytes, t.bytes, t.name)
            XCTAssertEqual(back.tensor(named: t.name)?.shape, t.shape, t.name)
        }
        XCTAssertEqual(back.tensor(named: "labels")?.int32s, [-1, 0, 1, Int32.max])
        XCTAssertEqual(back.metadata, ["format": "x"])
        XCTAssertEqual(try dir.contents(), ["w.safetensors"])
    }

    func testWriterRejectsWrongByteCountAndDuplicates() {
        let bad = SafetensorsTensor(name: "x", dtype: .f32, shape: [3], bytes: [0, 0, 0, 0])
        XCTAssertThrowsError(try Safetensors.encode([bad])) { error in
            XCTAssertEqual((error as? SafetensorsError)?.reason, .sizeMismatch(tensor: "x", expectedBytes: 12, declaredBytes: 4))
        }
        let t = SafetensorsTensor(name: "x", shape: [1], floats: [1])
        XCTAssertThrowsError(try Safetensors.encode([t, t])) { error in
            XCTAssertEqual((error as? SafetensorsError)?.reason, .duplicateName("x"))
        }
    }
}
