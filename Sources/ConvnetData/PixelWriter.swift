/// Stored bytes -> model floats in [0, 1] (divide by 255, as the codelab), optionally through an
/// augmentation draw. Kept apart from the batch logic so predict, evaluation and training all
/// produce identical floats for the same image.
enum PixelWriter {
    /// `i / 255` for every byte, computed once so the conversion is a table lookup.
    static let scale: [Float] = (0..<256).map { Float($0) / 255 }

    /// Writes one `(H, W, C)` image of bytes as floats into `out`: the geometric part of the draw
    /// while converting, then its colour part (`ColourAugmentation`) on the floats.
    static func write(_ src: UnsafeBufferPointer<UInt8>, shape: ImageShape, draw: Augmentation.Draw?,
                      into out: UnsafeMutablePointer<Float>) {
        if let draw, draw.resamples {
            writeResampled(src, shape: shape, draw: draw, into: out)
        } else {
            writeGeometric(src, shape: shape, draw: draw, into: out)
        }
        if let draw { ColourAugmentation.apply(draw, to: out, shape: shape) }
    }

    /// The byte -> float conversion through the flip and the shift.
    private static func writeGeometric(_ src: UnsafeBufferPointer<UInt8>, shape: ImageShape, draw: Augmentation.Draw?,
                                       into out: UnsafeMutablePointer<Float>) {
        scale.withUnsafeBufferPointer { lut in
            guard let d = draw, d.mirrored || d.dy != 0 || d.dx != 0 else {
                for i in 0..<shape.elementCount { out[i] = lut[Int(src[i])] }
                return
            }
            let (h, w, c) = (shape.height, shape.width, shape.channels)
            // Source column of each output column: shift, clamp to the edge, then mirror.
            var column = [Int](repeating: 0, count: w)
            for x in 0..<w {
                let sx = min(w - 1, max(0, x + d.dx))
                column[x] = d.mirrored ? w - 1 - sx : sx
            }
            column.withUnsafeBufferPointer { column in
                for y in 0..<h {
                    let sy = min(h - 1, max(0, y + d.dy))
                    let srow = src.baseAddress! + sy * w * c, drow = out + y * w * c
                    if c == 3 {  // the common case, unrolled
                        for x in 0..<w {
                            let s = srow + column[x] * 3, o = drow + x * 3
                            o[0] = lut[Int(s[0])]; o[1] = lut[Int(s[1])]; o[2] = lut[Int(s[2])]
                        }
                    } else {
                        for x in 0..<w {
                            let s = srow + column[x] * c, o = drow + x * c
                            for k in 0..<c { o[k] = lut[Int(s[k])] }
                        }
                    }
                }
            }
        }
    }

    /// The geometric part as one separable bilinear resampling (`crop P`, `zoom Z`, with the flip
    /// and shift folded in): per channel, between the two source columns, then the two rows, as
    /// `tf.image.resize` interpolates.
    private static func writeResampled(_ src: UnsafeBufferPointer<UInt8>, shape: ImageShape, draw d: Augmentation.Draw,
                                       into out: UnsafeMutablePointer<Float>) {
        let (h, w, c) = (shape.height, shape.width, shape.channels)
        let rows = AxisSampling(size: h, mirrored: false, zoom: d.zoom,
                                window: d.window.map { ($0.top, $0.height) }, shift: d.dy)
        let columns = AxisSampling(size: w, mirrored: d.mirrored, zoom: d.zoom,
                                   window: d.window.map { ($0.left, $0.width) }, shift: d.dx)
        scale.withUnsafeBufferPointer { lut in
            for y in 0..<h {
                let top = src.baseAddress! + rows.lower[y] * w * c
                let bottom = src.baseAddress! + rows.upper[y] * w * c
                let wy = rows.weight[y]
                let drow = out + y * w * c
                for x in 0..<w {
                    let l = columns.lower[x] * c, u = columns.upper[x] * c, wx = columns.weight[x]
                    for k in 0..<c {
                        let t = lut[Int(top[l + k])], tr = lut[Int(top[u + k])]
                        let b = lut[Int(bottom[l + k])], br = lut[Int(bottom[u + k])]
                        let upper = t + (tr - t) * wx
                        let lower = b + (br - b) * wx
                        drow[x * c + k] = upper + (lower - upper) * wy
                    }
                }
            }
        }
    }
}
