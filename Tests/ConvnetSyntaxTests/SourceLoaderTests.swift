import Foundation
import XCTest
@testable import ConvnetSyntax

final class SourceLoaderTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("convnet-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testLoadsRawBytesIncludingInvalidUTF8() throws {
        let bytes: [UInt8] = Array("gap\r\n".utf8) + [0xFF, 0x00] + Array("\n".utf8)
        let path = directory.appendingPathComponent("m.convnet").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let source = try SourceLoader.load(path: path).get()
        XCTAssertEqual(source.bytes, bytes)
        XCTAssertEqual(source.path, path)
    }

    func testMissingFile() {
        let path = directory.appendingPathComponent("nope.convnet").path
        guard case .failure(let d) = SourceLoader.load(path: path) else { return XCTFail("loaded a missing file") }
        XCTAssertEqual(d.id, "load.not-found")
        XCTAssertNil(d.range)
        XCTAssertTrue(d.message.contains(path))
    }

    func testDirectory() {
        guard case .failure(let d) = SourceLoader.load(path: directory.path) else { return XCTFail("loaded a directory") }
        XCTAssertEqual(d.id, "load.is-directory")
        XCTAssertNil(d.range)
        XCTAssertTrue(d.message.contains(directory.path))
    }

    func testUnreadableFile() throws {
        let path = directory.appendingPathComponent("secret.convnet").path
        try Data("gap".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path) }
        try XCTSkipIf(getuid() == 0, "root can read any file")
        guard case .failure(let d) = SourceLoader.load(path: path) else { return XCTFail("read an unreadable file") }
        XCTAssertEqual(d.id, "load.unreadable")
        XCTAssertTrue(d.message.contains(path))
    }

    func testLoadedFileParses() throws {
        let path = directory.appendingPathComponent("ok.convnet").path
        try Data("conv 3x3x8 relu\ngap\ndense 5 softmax\n".utf8).write(to: URL(fileURLWithPath: path))
        let result = Parser.parse(try SourceLoader.load(path: path).get())
        XCTAssertEqual(result.diagnostics, [])
        XCTAssertEqual(result.file.layers.count, 3)
    }
}
