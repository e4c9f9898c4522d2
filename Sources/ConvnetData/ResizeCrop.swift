/// Resize so the image covers the target, then take the centre: the codelab's
/// "resize the shorter side, crop the middle". The scale is `max(H/h, W/w)`, the resized size
/// `round(side * scale)` (never below the target), and the crop starts at
/// `((resized - target) / 2)` rounded down, as the codelab's `(new - size)//2`.
///
/// Sampling is bilinear with half-pixel centres (TF's `half_pixel_centers`). When shrinking,
/// the tent filter is widened to the scale factor (antialiasing, as TF's `antialias=True` and
/// PIL do) so thin details average out instead of aliasing. Taps outside the image are dropped
/// and the remaining weights renormalised. Only the cropped window is ever computed.
public enum ResizeCrop {
    /// The geometry chosen for a source size: resized size and crop offsets.
    public struct Plan: Hashable, Sendable {
        public var resizedHeight: Int, resizedWidth: Int
        public var offsetY: Int, offsetX: Int
    }

    public static func plan(sourceHeight h: Int, sourceWidth w: Int, targetHeight th: Int, targetWidth tw: Int) -> Plan {
        let scale = max(Double(th) / Double(h), Double(tw) / Double(w))
        let rh = max(th, Int((Double(h) * scale).rounded()))
        let rw = max(tw, Int((Double(w) * scale).rounded()))
        return Plan(resizedHeight: rh, resizedWidth: rw, offsetY: (rh - th) / 2, offsetX: (rw - tw) / 2)
    }

    /// Taps of a 1-D resampling: for output i, input indices `first[i] ..< first[i] + count[i]`
    /// with weights `weights[i * maxTaps ..< ...]` summing to 1.
    struct Taps {
        var first: [Int] = []
        var count: [Int] = []
        var weights: [Float] = []
        var maxTaps = 0
    }

    /// Filter taps mapping `source` samples onto outputs `offset ..< offset + target` of a
    /// `resized`-long axis.
    static func taps(source: Int, resized: Int, offset: Int, target: Int, antialias: Bool) -> Taps {
        let step = Double(source) / Double(resized)            // source pixels per resized pixel
        let radius = antialias ? max(1.0, step) : 1.0          // tent half-width in source pixels
        var t = Taps()
        t.maxTaps = Int((2 * radius).rounded(.up)) + 2
        t.weights = [Float](repeating: 0, count: target * t.maxTaps)
        for i in 0..<target {
            let centre = (Double(offset + i) + 0.5) * step - 0.5
            let lo = max(0, Int((centre - radius).rounded(.down)))
            let hi = min(source - 1, Int((centre + radius).rounded(.up)))
            var ws: [Double] = []
            var first = -1
            var sum = 0.0
            if lo <= hi {
                for j in lo...hi {
                    let wgt = max(0, 1 - abs(Double(j) - centre) / radius)
                    if wgt > 0 {
                        if first < 0 { first = j }
                        // keep contiguous taps (the tent is convex, so zeros only at the ends)
                        ws.append(wgt)
                        sum += wgt
                    } else if first >= 0 {
                        break
                    }
                }
            }
            if first < 0 {  // centre beyond the edge with no positive tap: replicate the edge
                first = min(max(0, Int(centre.rounded())), source - 1)
                ws = [1]; sum = 1
            }
            t.first.append(first)
            t.count.append(ws.count)
            for (k, wgt) in ws.enumerated() { t.weights[i * t.maxTaps + k] = Float(wgt / sum) }
        }
        return t
    }

    /// Resizes and centre-crops `image` to `(targetHeight, targetWidth, 3)` UInt8 RGB.
    public static func apply(_ image: RGBImage, targetHeight th: Int, targetWidth tw: Int, antialias: Bool = true) -> RGBImage {
        if image.height == th && image.width == tw { return image }
        let p = plan(sourceHeight: image.height, sourceWidth: image.width, targetHeight: th, targetWidth: tw)
        let ty = taps(source: image.height, resized: p.resizedHeight, offset: p.offsetY, target: th, antialias: antialias)
        let tx = taps(source: image.width, resized: p.resizedWidth, offset: p.offsetX, target: tw, antialias: antialias)
        let w = image.width
        // Vertical pass: (th, w, 3) floats.
        var mid = [Float](repeating: 0, count: th * w * 3)
        image.pixels.withUnsafeBufferPointer { src in
            mid.withUnsafeMutableBufferPointer { dst in
                for y in 0..<th {
                    let row = y * w * 3
                    for k in 0..<ty.count[y] {
                        let wy = ty.weights[y * ty.maxTaps + k]
                        let srow = (ty.first[y] + k) * w * 3
                        for i in 0..<(w * 3) { dst[row + i] += wy * Float(src[srow + i]) }
                    }
                }
            }
        }
        // Horizontal pass: (th, tw, 3) bytes.
        var out = [UInt8](repeating: 0, count: th * tw * 3)
        mid.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<th {
                    let srow = y * w * 3
                    for x in 0..<tw {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for k in 0..<tx.count[x] {
                            let wx = tx.weights[x * tx.maxTaps + k]
                            let s = srow + (tx.first[x] + k) * 3
                            r += wx * src[s]; g += wx * src[s + 1]; b += wx * src[s + 2]
                        }
                        let d = (y * tw + x) * 3
                        dst[d] = toByte(r); dst[d + 1] = toByte(g); dst[d + 2] = toByte(b)
                    }
                }
            }
        }
        return RGBImage(width: tw, height: th, pixels: out)
    }

    @inline(__always) static func toByte(_ v: Float) -> UInt8 {
        UInt8(min(255, max(0, v.rounded())))
    }
}
