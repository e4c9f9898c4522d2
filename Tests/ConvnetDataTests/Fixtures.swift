import Foundation
import XCTest
@testable import ConvnetData

/// Small images and folders written on the fly into a temporary directory, removed afterwards.
final class TempFolder {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "convnetdata-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes bytes at `relative` (creating folders) and returns the full path.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8]) -> String {
        let full = path + "/" + relative
        let dir = (full as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: full, contents: Data(bytes))
        return full
    }

    func mkdir(_ relative: String) {
        try? FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }
}

enum Fixture {
    /// A smooth RGB gradient `(h, w, 3)`: JPEG reproduces it within a few levels.
    static func gradient(width w: Int, height h: Int, seed: Int = 0) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let i = (y * w + x) * 3
                p[i] = UInt8((x * 255) / max(1, w - 1))
                p[i + 1] = UInt8((y * 255) / max(1, h - 1))
                p[i + 2] = UInt8((seed * 40 + 60 + (x + y) / 2) % 256)
            }
        }
        return p
    }

    /// Random bytes from a fixed generator.
    static func noise(count: Int, seed: UInt64) -> [UInt8] {
        var rng = Xoshiro256StarStar(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    static func jpeg(width: Int, height: Int, seed: Int = 0) -> [UInt8] {
        JPEGEncoder.encode(pixels: gradient(width: width, height: height, seed: seed), width: width, height: height,
                           channels: 3, quality: 95)!
    }

    static func png(width: Int, height: Int, seed: Int = 0) -> [UInt8] {
        PNGEncoder.encode(pixels: gradient(width: width, height: height, seed: seed), width: width, height: height,
                          channels: 3)!
    }

    /// A folder of `classes` x `perClass` small JPEG/PNG images (alternating).
    static func imageFolder(_ folder: TempFolder, classes: [String], perClass: Int, size: Int = 24) {
        for (c, name) in classes.enumerated() {
            for i in 0..<perClass {
                let bytes = i % 2 == 0 ? jpeg(width: size + i, height: size, seed: c) : png(width: size, height: size + i, seed: c)
                folder.write("\(name)/img\(i)", bytes)
            }
        }
    }
}

/// The `DataError` thrown by `body`, failing the test if it throws nothing or something else.
func unwrapError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> DataError? {
    do {
        try body()
        XCTFail("expected a DataError", file: file, line: line)
        return nil
    } catch let error as DataError {
        return error
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
        return nil
    }
}
