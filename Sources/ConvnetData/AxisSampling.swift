/// Where each output row (or column) of an augmented image reads the stored image: two source
/// indices and the weight of the second, so a resampling augmentation (`crop P`, `zoom Z`) costs
/// one separable bilinear pass. Every geometric augmentation acts on one axis at a time (the
/// flip on columns only; crop windows and zoom factors per axis), so two of these describe a
/// whole draw.
///
/// The maps compose from the output back to the stored image: output `i` -> before the bare
/// `crop`'s shift (`i + shift`, clamped to the edge, as the exact copy path does) -> before the
/// flip -> before the zoom (Keras `RandomZoom`: `c + z * (u - c)` around the centre
/// `c = (n - 1) / 2`, reflected at the borders as its `fill_mode="reflect"`) -> the stored image
/// through the `crop P` window (`tf.image.resize` bilinear with half-pixel centres from the
/// window back to `n`, clamped to the window).
struct AxisSampling: Sendable {
    /// `(n)` first source index, second source index, weight of the second.
    var lower: [Int]
    var upper: [Int]
    var weight: [Float]

    /// - Parameters:
    ///   - size: pixels along the axis, the same before and after.
    ///   - mirrored: the output is flipped along this axis.
    ///   - zoom: Keras' zoom factor (1: none; above 1 shows more of the image).
    ///   - window: the `crop P` window `(start, length)` along this axis, or nil.
    ///   - shift: the bare `crop`'s shift (0: none).
    init(size n: Int, mirrored: Bool, zoom: Float, window: (start: Int, length: Int)?, shift: Int) {
        lower = [Int](repeating: 0, count: n)
        upper = lower
        weight = [Float](repeating: 0, count: n)
        let centre = Float(n - 1) / 2
        for i in 0..<n {
            let shifted = min(max(i + shift, 0), n - 1)
            var u = Float(mirrored ? n - 1 - shifted : shifted)
            if zoom != 1 { u = AxisSampling.reflect(centre + zoom * (u - centre), size: n) }
            var base = 0, length = n
            if let window {
                // tf.image.resize (bilinear, half-pixel centres) of the window back to n pixels.
                u = (u + 0.5) * (Float(window.length) / Float(n)) - 0.5
                base = window.start
                length = window.length
            }
            u = min(max(u, 0), Float(length - 1))
            let floor = u.rounded(.down)
            lower[i] = base + Int(floor)
            upper[i] = base + min(Int(floor) + 1, length - 1)
            weight[i] = u - floor
        }
    }

    /// TensorFlow's `FILL_REFLECT` coordinate map (`ImageProjectiveTransformV3`, which Keras'
    /// `RandomZoom` runs on): `(d c b a | a b c d | d c b a)`, then clamped to `[0, n - 1]`.
    static func reflect(_ x: Float, size n: Int) -> Float {
        guard n > 1 else { return 0 }
        let len = Float(n), twice = 2 * len
        var c = x
        if c < 0 {
            if c < -twice { c += twice * Float(Int(-c / twice)) }
            c = c < -len ? c + twice : -c - 1
        } else if c > len - 1 {
            c -= twice * Float(Int(c / twice))
            if c >= len { c = twice - c - 1 }
        }
        return min(max(c, 0), len - 1)
    }
}
