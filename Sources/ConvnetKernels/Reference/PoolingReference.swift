/// Twins of `Pooling` and `GlobalAveragePool`, one output element at a time.
public enum PoolingReference {
    @inline(__always)
    static func at(_ g: PoolGeometry, _ n: Int, _ h: Int, _ w: Int, _ c: Int) -> Int {
        ((n * g.inHeight + h) * g.inWidth + w) * g.channels + c
    }

    /// Max (or mean) over each window's real elements (same padding clips windows at the
    /// edges: padded positions take no part, as in Keras).
    public static func forward<T: ReferenceScalar>(_ g: PoolGeometry, input: UnsafePointer<T>, output: UnsafeMutablePointer<T>,
                                                   isMax: Bool) {
        var o = 0
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for c in 0..<g.channels {
            var acc: T = isMax ? -T.infinity : 0
            var count = 0
            for ph in 0..<g.pool { for pw in 0..<g.pool {
                let h = oh * g.stride - g.padTop + ph, w = ow * g.stride - g.padLeft + pw
                guard h >= 0, h < g.inHeight, w >= 0, w < g.inWidth else { continue }
                let x = input[at(g, n, h, w, c)]
                acc = isMax ? max(acc, x) : acc + x
                count += 1
            } }
            output[o] = isMax ? acc : acc / T(count)
            o += 1
        } } } }
    }

    /// dX, overwritten: each dY to its window's first maximum (max) or spread evenly over the
    /// window's real elements (mean).
    public static func backward<T: ReferenceScalar>(_ g: PoolGeometry, input: UnsafePointer<T>, outputGradient: UnsafePointer<T>,
                                                    inputGradient: UnsafeMutablePointer<T>, isMax: Bool) {
        inputGradient.update(repeating: 0, count: g.inputCount)
        var o = 0
        for n in 0..<g.batch { for oh in 0..<g.outHeight { for ow in 0..<g.outWidth { for c in 0..<g.channels {
            var taps: [Int] = []
            for ph in 0..<g.pool { for pw in 0..<g.pool {
                let h = oh * g.stride - g.padTop + ph, w = ow * g.stride - g.padLeft + pw
                if h >= 0, h < g.inHeight, w >= 0, w < g.inWidth { taps.append(at(g, n, h, w, c)) }
            } }
            if isMax {
                var best = taps[0]
                for i in taps.dropFirst() where input[i] > input[best] { best = i }
                inputGradient[best] += outputGradient[o]
            } else {
                for i in taps { inputGradient[i] += outputGradient[o] / T(taps.count) }
            }
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
