import XCTest
@testable import ConvnetData

final class DecodeTests: XCTestCase {
    func decode(_ bytes: [UInt8]) throws -> RGBImage {
        try bytes.withUnsafeBytes { raw in
            switch ImageFormat.detect(raw) {
            case .jpeg?: return try JPEGDecoder().decode(raw)
            case .png?: return try PNGDecoder.decode(raw)
            case nil: throw ImageDecodeError(reason: "unknown")
            }
        }
    }

    func testMagicBytesNotExtension() {
        XCTAssertEqual(ImageFormat.detect(Fixture.jpeg(width: 8, height: 8)), .jpeg)
        XCTAssertEqual(ImageFormat.detect(Fixture.png(width: 8, height: 8)), .png)
        XCTAssertNil(ImageFormat.detect(Array("hello, world".utf8)))
        XCTAssertNil(ImageFormat.detect([0xFF, 0xD8]))
        XCTAssertNil(ImageFormat.detect([UInt8]()))
    }

    func testJPEGRoundTripWithinTolerance() throws {
        let (w, h) = (40, 30)
        let pixels = Fixture.gradient(width: w, height: h)
        let image = try decode(JPEGEncoder.encode(pixels: pixels, width: w, height: h, channels: 3, quality: 95)!)
        XCTAssertEqual(image.width, w)
        XCTAssertEqual(image.height, h)
        let maxDiff = zip(image.pixels, pixels).map { abs(Int($0) - Int($1)) }.max()!
        XCTAssertLessThanOrEqual(maxDiff, 8, "JPEG q95 4:4:4 of a smooth gradient stays within 8 levels")
    }

    func testPNGRoundTripIsExact() throws {
        let (w, h) = (13, 7)
        let pixels = Fixture.noise(count: w * h * 3, seed: 1)
        let image = try decode(PNGEncoder.encode(pixels: pixels, width: w, height: h, channels: 3)!)
        XCTAssertEqual(image, RGBImage(width: w, height: h, pixels: pixels))
    }

    func testGrayscalePNGBecomesRGB() throws {
        let gray: [UInt8] = [0, 50, 100, 150, 200, 255]
        let image = try decode(PNGEncoder.encode(pixels: gray, width: 3, height: 2, channels: 1)!)
        XCTAssertEqual(image.pixels, gray.flatMap { [$0, $0, $0] })
    }

    func testRGBAPNGDropsAlphaKeepingColour() throws {
        // Pixel 0 opaque red, pixel 1 fully transparent green: the colour survives, as in TF.
        let rgba: [UInt8] = [255, 0, 0, 255, 0, 200, 0, 0, 10, 20, 30, 128]
        let image = try decode(PNGEncoder.encode(pixels: rgba, width: 3, height: 1, channels: 4)!)
        XCTAssertEqual(image.pixels, [255, 0, 0, 0, 200, 0, 10, 20, 30])
    }

    func testGrayAlphaPNGBecomesRGB() throws {
        let ga: [UInt8] = [10, 255, 90, 0]
        let image = try decode(PNGEncoder.encode(pixels: ga, width: 2, height: 1, channels: 2)!)
        XCTAssertEqual(image.pixels, [10, 10, 10, 90, 90, 90])
    }

    func testGrayscaleJPEGBecomesRGB() throws {
        let gray = (0..<64).map { UInt8($0 * 4) }
        let image = try decode(JPEGEncoder.encode(pixels: gray, width: 8, height: 8, channels: 1, quality: 100)!)
        for p in 0..<64 {
            XCTAssertEqual(image.pixels[3 * p], image.pixels[3 * p + 1])
            XCTAssertEqual(image.pixels[3 * p], image.pixels[3 * p + 2])
            XCTAssertLessThanOrEqual(abs(Int(image.pixels[3 * p]) - Int(gray[p])), 3)
        }
    }

    func testCMYKJPEGBecomesRGB() throws {
        // Flat CMYK (inverted, 255 = no ink): C=255 M=128 Y=0 K=200 -> R=200, G=100, B=0.
        let cmyk = [UInt8](Array([[UInt8]](repeating: [255, 128, 0, 200], count: 64).joined()))
        let image = try decode(JPEGEncoder.encode(pixels: cmyk, width: 8, height: 8, channels: 4, quality: 100)!)
        for p in 0..<64 {
            XCTAssertLessThanOrEqual(abs(Int(image.pixels[3 * p]) - 200), 3)
            XCTAssertLessThanOrEqual(abs(Int(image.pixels[3 * p + 1]) - 100), 3)
            XCTAssertLessThanOrEqual(Int(image.pixels[3 * p + 2]), 3)
        }
    }

    func testLargeJPEGIsDecodedSmallerInTheDCTDomain() throws {
        let jpeg = Fixture.jpeg(width: 400, height: 320)
        let image = try jpeg.withUnsafeBytes { try JPEGDecoder().decode($0, minimumShortSide: 64) }
        XCTAssertEqual([image.width, image.height], [100, 80])   // 1/4: the short side stays >= 64
        let full = try jpeg.withUnsafeBytes { try JPEGDecoder().decode($0) }
        XCTAssertEqual([full.width, full.height], [400, 320])
        // Through the whole pipeline the result is close to resizing the full decode.
        let decoder = ImageDecoder(shape: ImageShape(height: 64, width: 64, channels: 3))
        let fast = try jpeg.withUnsafeBytes { try decoder.decodeResized($0) }
        let slow = ResizeCrop.apply(full, targetHeight: 64, targetWidth: 64)
        let meanDiff = Double(zip(fast.pixels, slow.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(fast.pixels.count)
        XCTAssertLessThan(meanDiff, 2.0)
    }

    func testTruncatedJPEGThrowsInsteadOfCrashing() {
        let full = Fixture.jpeg(width: 64, height: 64)
        for keep in [full.count / 2, full.count - 10, 20, 3] {
            XCTAssertThrowsError(try decode(Array(full.prefix(keep))), "kept \(keep) of \(full.count) bytes")
        }
    }

    func testCorruptBytesAfterMagicThrow() {
        XCTAssertThrowsError(try decode([0xFF, 0xD8, 0xFF] + Fixture.noise(count: 500, seed: 2)))
        XCTAssertThrowsError(try decode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Fixture.noise(count: 500, seed: 3)))
        let png = Fixture.png(width: 32, height: 32)
        XCTAssertThrowsError(try decode(Array(png.prefix(png.count - 30))), "truncated PNG")
    }

    func testJPEGDCTScalingKeepsShortSideAboveTarget() {
        XCTAssertEqual(JPEGDecoder.scaledSize(width: 800, height: 600, minimumShortSide: 192).0, 400)
        XCTAssertEqual(JPEGDecoder.scaledSize(width: 4000, height: 3000, minimumShortSide: 192).1, 375)
        XCTAssertEqual(JPEGDecoder.scaledSize(width: 300, height: 200, minimumShortSide: 192).0, 300)
    }

    func testEncodersRejectUnsupportedChannels() {
        XCTAssertNil(JPEGEncoder.encode(pixels: [0, 0], width: 1, height: 1, channels: 2))
        XCTAssertNil(JPEGEncoder.encode(pixels: [UInt8](repeating: 0, count: 5), width: 1, height: 1, channels: 5))
        XCTAssertNil(PNGEncoder.encode(pixels: [0, 0, 0, 0, 0], width: 1, height: 1, channels: 5))
    }
}

final class DecoderReuseTests: XCTestCase {
    /// A decoder that just failed must still decode the next good file (handles are reused per thread).
    func testJPEGDecoderRecoversAfterFailures() throws {
        let decoder = JPEGDecoder()
        let good = Fixture.jpeg(width: 24, height: 24)
        let bad: [[UInt8]] = [Array(good.prefix(good.count / 2)), [0xFF, 0xD8, 0xFF] + Fixture.noise(count: 300, seed: 4),
                              [0xFF, 0xD8, 0xFF, 0x00]]
        for b in bad {
            XCTAssertThrowsError(try b.withUnsafeBytes { try decoder.decode($0) })
            let image = try good.withUnsafeBytes { try decoder.decode($0) }
            XCTAssertEqual(image.width, 24)
        }
    }
}
