import Foundation
import XCTest
@testable import ConvnetTraining

/// Interoperability with the format's reference implementation: the bytes below were written by
/// the `safetensors` Python package 0.8.0 (`scripts/make_safetensors_fixture.py`).
final class SafetensorsReferenceFixtureTests: XCTestCase {
    private let referenceBase64 = """
        WAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJ4In0sInN0ZXAiOnsiZHR5cGUiOiJJNjQiLCJzaGFwZSI6W10s
        ImRhdGFfb2Zmc2V0cyI6WzAsOF19LCJhYSI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMiwwXSwiZGF0YV9vZmZzZXRzIjpb
        OCw4XX0sImNvbnYyZC9rZXJuZWwiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzMsMywzLDJdLCJkYXRhX29mZnNldHMiOls4
        LDIyNF19LCJkZW5zZS9iaWFzIjp7ImR0eXBlIjoiRjMyIiwic2hhcGUiOls1XSwiZGF0YV9vZmZzZXRzIjpbMjI0LDI0NF19
        LCJsYWJlbHMiOnsiZHR5cGUiOiJJMzIiLCJzaGFwZSI6WzNdLCJkYXRhX29mZnNldHMiOlsyNDQsMjU2XX19IBQamb4cAAAA
        AABAwAAAMMAAACDAAAAQwAAAAMAAAOC/AADAvwAAoL8AAIC/AABAvwAAAL8AAIC+AAAAAAAAgD4AAAA/AABAPwAAgD8AAKA/
        AADAPwAA4D8AAABAAAAQQAAAIEAAADBAAABAQAAAUEAAAGBAAABwQAAAgEAAAIhAAACQQAAAmEAAAKBAAACoQAAAsEAAALhA
        AADAQAAAyEAAANBAAADYQAAA4EAAAOhAAADwQAAA+EAAAABBAAAEQQAACEEAAAxBAAAQQQAAFEEAABhBAAAcQQAAIEEAACRB
        AACAPwAAAMAAAGBAd8wrMgAAgH8AAAAA/P///wcAAAA=
        """

    private var referenceBytes: [UInt8] {
        [UInt8](Data(base64Encoded: referenceBase64.replacingOccurrences(of: "\n", with: "")
            .replacingOccurrences(of: " ", with: ""))!)
    }

    private var tensors: [SafetensorsTensor] {
        [
            SafetensorsTensor(name: "conv2d/kernel", shape: [3, 3, 3, 2], floats: (0..<54).map { Float($0) * 0.25 - 3 }),
            SafetensorsTensor(name: "dense/bias", shape: [5], floats: [1, -2, 3.5, 1e-8, .infinity]),
            SafetensorsTensor(name: "step", shape: [], int64s: [123456789012]),
            SafetensorsTensor(name: "labels", shape: [3], int32s: [0, -4, 7]),
            SafetensorsTensor(name: "aa", shape: [2, 0], floats: []),
        ]
    }

    func testWriterMatchesReferenceByteForByte() throws {
        XCTAssertEqual(referenceBytes.count, 608)
        XCTAssertEqual(try Safetensors.encode(tensors, metadata: ["format": "x"]), referenceBytes)
    }

    func testReaderReadsReferenceFile() throws {
        let file = try Safetensors.decode(referenceBytes)
        XCTAssertEqual(file.names, ["step", "aa", "conv2d/kernel", "dense/bias", "labels"])
        XCTAssertEqual(file.metadata, ["format": "x"])
        for t in tensors { XCTAssertEqual(file.tensor(named: t.name), t, t.name) }
        XCTAssertEqual(file.tensor(named: "step")?.int64s, [123456789012])
    }
}
