/// Twins of `Pooling` and `GlobalAveragePool`, one output element at a time.
public enum PoolingReference {
    @inline(__always)
    static func at(_ g: PoolGeometry, _ n: Int, _ h: Int, _ w: Int, _ c: Int) -> Int {
        ((n * g.inHeight + h) * g.inWidth + w) * g.channels + c
    }

    /// Max (or mean) over each window.
    public static func forward<T: ReferenceScalar>(_ g: PoolGeometry, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>,
                                                   isMax: Bool) {
        var o = 0
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for c in 0..<g.channels {
            var acc: T = isMax ? -T.infinity : 0
            for ph in 0..<g.pool { for pw in 0..<g.pool {
                let x = input[at(g, n, oh * g.stride + ph, ow * g.stride + pw, c)]
                acc = isMax ? max(acc, x) : acc + x
            } }
            output[o] = isMax ? acc : acc / T(g.pool * g.pool)
            o += 1
        } } } }
    }

    /// dX, overwritten: each dY to its window's first maximum (max) or spread evenly (mean).
    public static func backward<T: ReferenceScalar>(_ g: PoolGeometry, input: UnsafePointer<T>, outputGradient: UnsafePointer<T>,
                                                    inputGradient: UnsafeMutablePointer<T>, isMax: Bool) {
        inputGradient.update(repeating: 0, count: g.inputCount)
        var o = 0
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for c in 0..<g.channels {
            var best = at(g, n, oh * g.stride, ow * g.stride, c)
            for ph in 0..<g.pool { for pw in 0..<g.pool {
                let i = at(g, n, oh * g.stride + ph, ow * g.stride + pw, c)
                if isMax {
                    if input[i] > input[best] { best = i }
                } else {
                    inputGradient[i] += outputGradient[o] / T(g.pool * g.pool)
                }
            } }
            if isMax { inputGradient[best] += outputGradient[o] }
            o += 1
        } } } }
    }

    /// y (N, C) = mean over pixels of x (N, H, W, C).
    public static func globalAverageForward<T: ReferenceScalar>(batch: Int, height: Int, width: Int, channels: Int,
                                                                input: UnsafePointer<T>, output: UnsafeMutablePointer<T>) {
        for n in 0..<batch { for c in 0..<channels {
            var sum: T = 0
            for p in 0..<(height * width) { sum += input[(n * height * width + p) * channels + c] }
            output[n * channels + c] = sum / T(height * width)
        } }
    }

    /// dX (N, H, W, C) = dY (N, C) / (H W).
    public static func globalAverageBackward<T: ReferenceScalar>(batch: Int, height: Int, width: Int, channels: Int,
                                                                 outputGradient: UnsafePointer<T>, inputGradient: UnsafeMutablePointer<T>) {
        for n in 0..<batch { for p in 0..<(height * width) { for c in 0..<channels {
            inputGradient[(n * height * width + p) * channels + c] = outputGradient[n * channels + c] / T(height * width)
        } } }
    }
}
