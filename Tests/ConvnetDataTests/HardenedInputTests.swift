import Foundation
import XCTest
@testable import ConvnetData

/// Issue 19's "silently wrong" data: folders are walked without entering any folder twice, and a
/// 16-bit PNG decodes to the values of its 8-bit twin.
final class HardenedInputTests: XCTestCase {
    func testASymlinkLoopInsideAClassIsFollowedNoMoreThanOnce() throws {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["daisy", "roses"], perClass: 3)
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/daisy/up-loop", withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/daisy/self", withDestinationPath: ".")
        let listing = try ImageFolderListing(root: folder.path)
        XCTAssertEqual(listing.classNames, ["daisy", "roses"])
        XCTAssertEqual(listing.entries.count, 6, "\(listing.entries.map(\.relativePath))")
        XCTAssertEqual(Set(listing.skipped.map(\.path)), ["daisy/up-loop", "daisy/self"])
    }

    func testALinkToTheRootIsNoClass() throws {
        let folder = TempFolder()
        Fixture.imageFolder(folder, classes: ["daisy", "roses"], perClass: 3)
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/zzz", withDestinationPath: ".")
        // A second link to a class folder is the same folder: not a class of its own either.
        try FileManager.default.createSymbolicLink(atPath: folder.path + "/zzz-roses", withDestinationPath: "roses")
        let listing = try ImageFolderListing(root: folder.path)
        XCTAssertEqual(listing.classNames, ["daisy", "roses"])
        XCTAssertEqual(listing.entries.count, 6)
        XCTAssertEqual(listing.skipped.map(\.path), ["zzz", "zzz-roses"])
    }

    func testA16BitPNGDecodesToTheValuesOfIts8BitTwin() throws {
        let (w, h) = (7, 5)
        let pixels = Fixture.gradient(width: w, height: h, seed: 3)
        let eight = try decode(try XCTUnwrap(PNGEncoder.encode(pixels: pixels, width: w, height: h, channels: 3)))
        let sixteen = try decode(PNG16.rgb(pixels.map { UInt16($0) * 257 }, width: w, height: h))
        XCTAssertEqual(sixteen.width, w)
        XCTAssertEqual(sixteen.pixels, eight.pixels)
        XCTAssertEqual(eight.pixels, pixels)
        // Scaled with rounding, not the high byte alone: 200 / 257 rounds to 1.
        let odd = try decode(PNG16.rgb([200, 0x0000, 0xFFFF], width: 1, height: 1))
        XCTAssertEqual(odd.pixels, [1, 0, 255])
    }

    private func decode(_ bytes: [UInt8]) throws -> RGBImage {
        try bytes.withUnsafeBytes { try PNGDecoder.decode($0) }
    }
}

/// A minimal 16-bit RGB PNG writer (stored deflate blocks, no compression), enough for a test.
enum PNG16 {
    static func rgb(_ samples: [UInt16], width: Int, height: Int) -> [UInt8] {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)  // filter: none
            for x in 0..<(width * 3) {
                let v = samples[y * width * 3 + x]
                raw += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let last: UInt8 = offset + n == raw.count ? 1 : 0
            zlib += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        zlib += bigEndian((b << 16) | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [16, 2, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return png
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return bigEndian(UInt32(data.count)) + body + bigEndian(~crc)
    }
}
