import Foundation
import XCTest
@testable import ConvnetData

/// The colour augmentations against TensorFlow's own outputs on a fixed image
/// (`scripts/make_augment_fixture.py` wrote `Fixtures/augment-tf.json` with tf.image).
final class AugmentationFixtureTests: XCTestCase {
    struct Case: Decodable {
        var factor: Float?
        var delta: Float?
        var top: Int?
        var left: Int?
        var height: Int?
        var width: Int?
        var output: [Float]
    }

    struct Fixture: Decodable {
        var height: Int
        var width: Int
        var channels: Int
        var image: [Float]
        var saturation: [Case]
        var contrast: [Case]
        var brightness: [Case]
        var crop: [Case]
        var zoom: [Case]

        /// The image as the stored bytes it was made from (`byte / 255`).
        var bytes: [UInt8] { image.map { UInt8(($0 * 255).rounded()) } }
        var shape: ImageShape { ImageShape(height: height, width: width, channels: channels) }
    }

    /// The fixture's image written through `draw` as a batch row is.
    func written(_ f: Fixture, _ draw: Augmentation.Draw) -> [Float] {
        var out = [Float](repeating: -1, count: f.image.count)
        f.bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { PixelWriter.write(src, shape: f.shape, draw: draw, into: $0.baseAddress!) }
        }
        return out
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/augment-tf.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func assertClose(_ a: [Float], _ b: [Float], _ what: String, tolerance: Float = 2e-6) {
        XCTAssertEqual(a.count, b.count, what)
        let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, tolerance, "\(what): largest difference \(worst)")
    }

    func testSaturationMatchesTensorFlow() throws {
        let f = try Self.fixture()
        XCTAssertEqual(f.saturation.count, 6)
        for c in f.saturation {
            var image = f.image
            image.withUnsafeMutableBufferPointer {
                ColourAugmentation.adjustSaturation($0.baseAddress!, pixels: f.height * f.width, factor: c.factor!)
            }
            assertClose(image, c.output, "saturation \(c.factor!)")
        }
    }

    func testContrastMatchesTensorFlow() throws {
        let f = try Self.fixture()
        let shape = ImageShape(height: f.height, width: f.width, channels: f.channels)
        XCTAssertEqual(f.contrast.count, 4)
        for c in f.contrast {
            var image = f.image
            image.withUnsafeMutableBufferPointer {
                ColourAugmentation.adjustContrast($0.baseAddress!, shape: shape, factor: c.factor!)
            }
            assertClose(image, c.output, "contrast \(c.factor!)")
        }
    }

    /// The whole colour step: TensorFlow's brightness, contrast and saturation one after the
    /// other, then the clip convnetc adds (tf.image leaves values outside [0, 1]).
    func testDrawAppliesEachOperationThenClips() throws {
        let f = try Self.fixture()
        let shape = ImageShape(height: f.height, width: f.width, channels: f.channels)
        for c in f.brightness {
            var image = f.image
            let draw = Augmentation.Draw(mirrored: false, dy: 0, dx: 0, brightness: c.delta!)
            image.withUnsafeMutableBufferPointer { ColourAugmentation.apply(draw, to: $0.baseAddress!, shape: shape) }
            assertClose(image, c.output.map { min(1, max(0, $0)) }, "brightness \(c.delta!)")
            XCTAssertTrue(c.output.contains { $0 < 0 || $0 > 1 }, "the fixture should exercise the clip")
        }
        let contrast = try XCTUnwrap(f.contrast.first { $0.factor == 1.8 })
        var image = f.image
        let draw = Augmentation.Draw(mirrored: false, dy: 0, dx: 0, contrast: 1.8)
        image.withUnsafeMutableBufferPointer { ColourAugmentation.apply(draw, to: $0.baseAddress!, shape: shape) }
        assertClose(image, contrast.output.map { min(1, max(0, $0)) }, "contrast 1.8, clipped")
    }

    func testIdentityDrawLeavesTheImage() throws {
        let f = try Self.fixture()
        var image = f.image
        image.withUnsafeMutableBufferPointer {
            ColourAugmentation.apply(Augmentation.Draw(mirrored: false, dy: 0, dx: 0), to: $0.baseAddress!,
                                     shape: ImageShape(height: f.height, width: f.width, channels: 3))
        }
        XCTAssertEqual(image, f.image)
    }

    /// Factors are uniform over the written range, drawn per image, and reproducible.
    func testColourDrawsCoverTheirRanges() {
        let aug = Augmentation(flip: true, brightness: 0.2, contrast: 0.5...1.5, saturation: 0...2)
        let shape = ImageShape(height: 8, width: 8, channels: 3)
        let draws = (0..<1000).map { aug.draw(seed: 3, epoch: 1, index: $0, shape: shape) }
        XCTAssertEqual(draws[7], aug.draw(seed: 3, epoch: 1, index: 7, shape: shape))
        XCTAssertTrue(draws.allSatisfy { $0.saturation >= 0 && $0.saturation < 2 })
        XCTAssertTrue(draws.allSatisfy { $0.contrast >= 0.5 && $0.contrast < 1.5 })
        XCTAssertTrue(draws.allSatisfy { abs($0.brightness) <= 0.2 })
        let meanSaturation = draws.map(\.saturation).reduce(0, +) / 1000
        XCTAssertEqual(meanSaturation, 1, accuracy: 0.06)
        XCTAssertLessThan(draws.map(\.saturation).min()!, 0.05)
        XCTAssertGreaterThan(draws.map(\.saturation).max()!, 1.95)
        // The flip's draw comes first and did not change when colour operations were added.
        let flipOnly = Augmentation(flip: true)
        XCTAssertEqual(draws.map(\.mirrored), (0..<1000).map { flipOnly.draw(seed: 3, epoch: 1, index: $0, shape: shape).mirrored })
    }

    /// `crop P`'s window resized back: `tf.image.resize` (bilinear) of the window.
    func testCropWindowMatchesTensorFlowResize() throws {
        let f = try Self.fixture()
        XCTAssertEqual(f.bytes.map { Float($0) / 255 }, f.image)
        XCTAssertEqual(f.crop.count, 3)
        for c in f.crop {
            let window = Augmentation.CropWindow(top: c.top!, left: c.left!, height: c.height!, width: c.width!)
            assertClose(written(f, Augmentation.Draw(mirrored: false, dy: 0, dx: 0, window: window)), c.output,
                        "crop window \(window)", tolerance: 1e-5)
        }
    }

    /// `zoom Z`'s factor as Keras `RandomZoom` applies it (reflected borders, bilinear), in and out.
    func testZoomMatchesKerasRandomZoom() throws {
        let f = try Self.fixture()
        XCTAssertEqual(f.zoom.count, 4)
        for c in f.zoom {
            assertClose(written(f, Augmentation.Draw(mirrored: false, dy: 0, dx: 0, zoom: c.factor!)), c.output,
                        "zoom \(c.factor!)", tolerance: 1e-5)
        }
    }

    /// The flip folds into the resampling as it does into the exact copy: a window of the whole
    /// image is the image, mirrored or not.
    func testResamplingPathAgreesWithTheCopyPath() throws {
        let f = try Self.fixture()
        let whole = Augmentation.CropWindow(top: 0, left: 0, height: f.height, width: f.width)
        for mirrored in [false, true] {
            for (dy, dx) in [(0, 0), (1, -2)] {
                XCTAssertEqual(written(f, Augmentation.Draw(mirrored: mirrored, dy: dy, dx: dx, window: whole)),
                               written(f, Augmentation.Draw(mirrored: mirrored, dy: dy, dx: dx)), "mirrored \(mirrored) shift \(dy),\(dx)")
            }
        }
    }

    func testWindowAndZoomDraws() {
        let aug = Augmentation(cropFraction: 0.75, zoom: 0.2)
        let shape = ImageShape(height: 40, width: 20, channels: 3)
        let draws = (0..<500).map { aug.draw(seed: 5, epoch: 0, index: $0, shape: shape) }
        for d in draws {
            let w = try! XCTUnwrap(d.window)
            XCTAssertEqual([w.height, w.width], [30, 15])
            XCTAssertTrue((0...10).contains(w.top) && (0...5).contains(w.left))
            XCTAssertTrue(d.zoom >= 0.8 && d.zoom < 1.2)
        }
        XCTAssertEqual(Set(draws.map { $0.window!.top }).count, 11)
        XCTAssertEqual(Set(draws.map { $0.window!.left }).count, 6)
    }
}
