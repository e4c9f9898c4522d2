import ConvnetSupport
import Foundation
import XCTest
@testable import ConvnetTraining

/// A damaged file must give a clear `SafetensorsError` naming the file, never a crash.
final class SafetensorsCorruptionTests: XCTestCase {
    private let file = "ckpt.safetensors"

    /// A file made of `header` (padded to 8) and `data`, with a correct length prefix.
    private func handmade(_ header: String, data: [UInt8]) -> [UInt8] {
        var h = Array(header.utf8)
        h += Array(repeating: 0x20, count: (8 - h.count % 8) % 8)
        return (0..<8).map { UInt8((h.count >> ($0 * 8)) & 0xFF) } + h + data
    }

    private func reason(_ bytes: [UInt8], file line: UInt = #line) -> SafetensorsError.Reason? {
        do {
            _ = try Safetensors.decode(bytes, file: file)
            XCTFail("decoding should fail", line: line)
            return nil
        } catch {
            XCTAssertTrue(error.description.hasPrefix("ckpt.safetensors: "), error.description, line: line)
            return error.reason
        }
    }

    private var valid: [UInt8] {
        try! Safetensors.encode([SafetensorsTensor(name: "w", shape: [2, 3], floats: [1, 2, 3, 4, 5, 6])])
    }

    func testTooShortForLength() {
        XCTAssertEqual(reason([1, 2, 3]), .tooShort(byteCount: 3))
    }

    func testHeaderLengthBeyondLimitOrFile() {
        var bytes = valid
        bytes[5] = 1  // 2^40 + ...
        guard case .headerTooLarge? = reason(bytes) else { return XCTFail("expected headerTooLarge") }
        bytes = valid
        bytes[0] = 0xF8; bytes[1] = 0x03  // 1016 bytes of header in a ~100-byte file
        XCTAssertEqual(reason(bytes), .headerPastEnd(headerLength: 1016, fileSize: valid.count))
    }

    func testTruncatedDataAndTrailingBytes() {
        XCTAssertEqual(reason(Array(valid.dropLast(4))), .dataLengthMismatch(declared: 24, actual: 20))
        XCTAssertEqual(reason(valid + [0]), .dataLengthMismatch(declared: 24, actual: 25))
    }

    func testEveryTruncationFailsCleanly() {
        let bytes = valid
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try Safetensors.decode(Array(bytes[0..<length])), "length \(length)")
        }
    }

    func testEveryHeaderByteFlipNeverTraps() {
        let bytes = valid
        for i in 8..<bytes.count {
            for flip: UInt8 in [0x01, 0x20, 0x80, 0xFF] {
                var damaged = bytes
                damaged[i] ^= flip
                _ = try? Safetensors.decode(damaged)  // must return or throw, never trap
            }
        }
    }

    func testHeaderNotJSONOrNotObject() {
        guard case .headerNotJSON? = reason(handmade(#"{"w": }"#, data: [])) else { return XCTFail("expected headerNotJSON") }
        XCTAssertEqual(reason(handmade("[]", data: [])), .headerNotObject)
        guard case .headerNotJSON? = reason(handmade(#"{"a":{},"a":{}}"#, data: [])) else {
            return XCTFail("duplicate keys must be refused")
        }
        // A zero-length header is not JSON at all.
        XCTAssertEqual(reason([0, 0, 0, 0, 0, 0, 0, 0]), .headerNotJSON("unexpected end of JSON at byte 0"))
    }

    func testHeaderNotUTF8() {
        var bytes: [UInt8] = [8, 0, 0, 0, 0, 0, 0, 0]
        bytes += [0x7B, 0xC3, 0x7D, 0x20, 0x20, 0x20, 0x20, 0x20]
        XCTAssertEqual(reason(bytes), .headerNotUTF8)
    }

    func testOffsetsOutOfRangeGapsAndSizes() {
        let data = [UInt8](repeating: 0, count: 24)
        XCTAssertEqual(
            reason(handmade(#"{"w":{"dtype":"F32","shape":[100],"data_offsets":[0,400]}}"#, data: data)),
            .dataLengthMismatch(declared: 400, actual: 24))
        XCTAssertEqual(
            reason(handmade(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}"#, data: data)),
            .offsetsNotContiguous(tensor: "w", expectedBegin: 0, begin: 8))
        XCTAssertEqual(
            reason(handmade(#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#, data: data)),
            .sizeMismatch(tensor: "w", expectedBytes: 24, declaredBytes: 20))
        XCTAssertEqual(
            reason(handmade(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: data)),
            .offsetsNotContiguous(tensor: "b", expectedBegin: 8, begin: 4))
        guard case .entryMalformed(tensor: "w", _)? = reason(
            handmade(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: data)) else {
            return XCTFail("reversed offsets must be refused")
        }
    }

    func testBadEntries() {
        XCTAssertEqual(reason(handmade(#"{"w":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}"#, data: [0])),
                       .unknownDType(tensor: "w", dtype: "Q7"))
        for header in [
            #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#,
            #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,0]}}"#,
            #"{"w":{"dtype":"F32","shape":[true],"data_offsets":[0,0]}}"#,
            #"{"w":{"dtype":"F32","data_offsets":[0,0]}}"#,
            #"{"w":{"dtype":"F32","shape":[],"data_offsets":[0]}}"#,
            #"{"w":{"shape":[],"data_offsets":[0,4]}}"#,
            #"{"w":[]}"#,
            #"{"w":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}"#,
        ] {
            guard case .entryMalformed(tensor: "w", _)? = reason(handmade(header, data: [0, 0, 0, 0])) else {
                XCTFail("expected entryMalformed for \(header)")
                continue
            }
        }
        XCTAssertEqual(reason(handmade(#"{"__metadata__":{"a":1}}"#, data: [])), .metadataNotStringMap)
    }

    func testMissingFileNamesThePath() {
        XCTAssertThrowsError(try Safetensors.read(from: URL(fileURLWithPath: "/nonexistent/x.safetensors"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/x.safetensors: "), "\(error)")
        }
    }
}
