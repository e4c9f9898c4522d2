import XCTest
@testable import ConvnetData

/// The resize + centre crop checked against a deliberately naive 2-D reference written from the
/// definition (tent filter over every source pixel, half-pixel centres, drop out-of-range taps).
final class ResizeCropTests: XCTestCase {
    func naive(_ image: RGBImage, th: Int, tw: Int) -> [UInt8] {
        let scale = max(Double(th) / Double(image.height), Double(tw) / Double(image.width))
        let rh = max(th, Int((Double(image.height) * scale).rounded()))
        let rw = max(tw, Int((Double(image.width) * scale).rounded()))
        let oy = (rh - th) / 2, ox = (rw - tw) / 2
        let sy = Double(image.height) / Double(rh), sx = Double(image.width) / Double(rw)
        let ry = max(1, sy), rx = max(1, sx)
        var out = [UInt8]()
        for y in 0..<th {
            for x in 0..<tw {
                let cy = (Double(y + oy) + 0.5) * sy - 0.5, cx = (Double(x + ox) + 0.5) * sx - 0.5
                var acc = [0.0, 0.0, 0.0], total = 0.0
                for j in 0..<image.height {
                    let wy = max(0, 1 - abs(Double(j) - cy) / ry)
                    if wy == 0 { continue }
                    for i in 0..<image.width {
                        let wx = max(0, 1 - abs(Double(i) - cx) / rx)
                        if wx == 0 { continue }
                        let p = image[j, i]
                        acc[0] += wy * wx * Double(p.0); acc[1] += wy * wx * Double(p.1); acc[2] += wy * wx * Double(p.2)
                        total += wy * wx
                    }
                }
                for k in 0..<3 { out.append(UInt8(min(255, max(0, (acc[k] / total).rounded())))) }
            }
        }
        return out
    }

    func testMatchesNaiveReference() {
        let cases = [(40, 30, 16, 16), (30, 40, 16, 16), (10, 12, 25, 25), (64, 64, 20, 20), (17, 50, 9, 9),
                     (33, 21, 12, 20), (8, 8, 8, 8), (5, 9, 11, 7)]
        for (h, w, th, tw) in cases {
            let image = RGBImage(width: w, height: h, pixels: Fixture.noise(count: w * h * 3, seed: UInt64(h * 100 + w)))
            let fast = ResizeCrop.apply(image, targetHeight: th, targetWidth: tw)
            XCTAssertEqual(fast.height, th)
            XCTAssertEqual(fast.width, tw)
            let ref = naive(image, th: th, tw: tw)
            let maxDiff = zip(fast.pixels, ref).map { abs(Int($0) - Int($1)) }.max() ?? 0
            XCTAssertLessThanOrEqual(maxDiff, 1, "\(h)x\(w) -> \(th)x\(tw) (rounding only)")
        }
    }

    func testCentreCropGeometry() {
        // 200 high x 300 wide to 100x100: shorter side 200 -> 100, width 300 -> 150, crop from x=25.
        let plan = ResizeCrop.plan(sourceHeight: 200, sourceWidth: 300, targetHeight: 100, targetWidth: 100)
        XCTAssertEqual(plan, ResizeCrop.Plan(resizedHeight: 100, resizedWidth: 150, offsetY: 0, offsetX: 25))
        // Odd leftover rounds down as (new - size)//2.
        let odd = ResizeCrop.plan(sourceHeight: 10, sourceWidth: 15, targetHeight: 10, targetWidth: 10)
        XCTAssertEqual(odd, ResizeCrop.Plan(resizedHeight: 10, resizedWidth: 15, offsetY: 0, offsetX: 2))
        let tall = ResizeCrop.plan(sourceHeight: 400, sourceWidth: 100, targetHeight: 50, targetWidth: 50)
        XCTAssertEqual(tall, ResizeCrop.Plan(resizedHeight: 200, resizedWidth: 50, offsetY: 75, offsetX: 0))
    }

    func testCropKeepsTheMiddleColumns() {
        // Width 30, height 10, target 10x10: no scaling, columns 10..<20 kept exactly.
        var pixels = [UInt8]()
        for _ in 0..<10 { for x in 0..<30 { pixels += [UInt8(x), UInt8(x * 2), 7] } }
        let out = ResizeCrop.apply(RGBImage(width: 30, height: 10, pixels: pixels), targetHeight: 10, targetWidth: 10)
        XCTAssertEqual(out[0, 0].0, 10)
        XCTAssertEqual(out[9, 9].0, 19)
        XCTAssertEqual(out[5, 3].1, 26)
    }

    func testConstantImageStaysConstant() {
        let image = RGBImage(width: 37, height: 23, pixels: [UInt8](repeating: 0, count: 37 * 23).flatMap { _ in [200, 100, 3] })
        for (th, tw) in [(7, 7), (50, 64), (23, 23)] {
            let out = ResizeCrop.apply(image, targetHeight: th, targetWidth: tw)
            XCTAssertTrue(stride(from: 0, to: out.pixels.count, by: 3).allSatisfy {
                out.pixels[$0] == 200 && out.pixels[$0 + 1] == 100 && out.pixels[$0 + 2] == 3
            }, "\(th)x\(tw)")
        }
    }

    func testAntialiasAveragesFineStripes() {
        // One-pixel black/white columns shrunk 4x: antialiasing gives mid grey, not stripes.
        var pixels = [UInt8]()
        for _ in 0..<32 { for x in 0..<32 { let v: UInt8 = x % 2 == 0 ? 0 : 255; pixels += [v, v, v] } }
        let out = ResizeCrop.apply(RGBImage(width: 32, height: 32, pixels: pixels), targetHeight: 8, targetWidth: 8)
        XCTAssertTrue(out.pixels.allSatisfy { abs(Int($0) - 128) <= 20 }, "\(out.pixels.prefix(24))")
    }

    func testLuminanceWeights() {
        XCTAssertEqual(Luminance.of(255, 255, 255), 255)
        XCTAssertEqual(Luminance.of(0, 0, 0), 0)
        XCTAssertEqual(Luminance.of(255, 0, 0), 76)   // 0.2989 * 255 = 76.2
        XCTAssertEqual(Luminance.of(0, 255, 0), 150)  // 0.5870 * 255 = 149.7
        XCTAssertEqual(Luminance.of(0, 0, 255), 29)   // 0.1140 * 255 = 29.1
        let image = RGBImage(width: 2, height: 1, pixels: [255, 0, 0, 10, 10, 10])
        var out = [UInt8](repeating: 0, count: 2)
        out.withUnsafeMutableBufferPointer { Luminance.store(image, channels: 1, into: $0) }
        XCTAssertEqual(out, [76, 10])
    }
}
