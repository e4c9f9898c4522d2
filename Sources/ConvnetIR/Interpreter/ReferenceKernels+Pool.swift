import ConvnetInterface

/// Max and average pooling (valid or same padding), the spatial mean (`gap`), and their gradients.
extension ReferenceKernels {
    /// Calls `body(outIndex, [inIndex])` for every output of a pool over x (B,H,W,C); the taps
    /// are the window's real elements (same padding clips windows at the edges, as Keras does).
    static func forEachWindow(_ x: [Int], _ p: PoolAttributes, _ body: (Int, [Int]) -> Void) {
        let (b, h, w, c) = (x[0], x[1], x[2], x[3])
        let oh = p.outputExtent(h), ow = p.outputExtent(w)
        let same = p.padding == .same
        let top = same ? WindowExtent.samePadding(h, window: p.size, stride: p.stride).before : 0
        let left = same ? WindowExtent.samePadding(w, window: p.size, stride: p.stride).before : 0
        var taps: [Int] = []
        taps.reserveCapacity(p.size * p.size)
        for n in 0..<b {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ch in 0..<c {
                        taps.removeAll(keepingCapacity: true)
                        for ky in 0..<p.size {
                            let iy = oy * p.stride - top + ky
                            guard iy >= 0, iy < h else { continue }
                            for kx in 0..<p.size {
                                let ix = ox * p.stride - left + kx
                                guard ix >= 0, ix < w else { continue }
                                taps.append(((n * h + iy) * w + ix) * c + ch)
                            }
                        }
                        body(((n * oh + oy) * ow + ox) * c + ch, taps)
                    }
                }
            }
        }
    }

    static func poolShape(_ x: [Int], _ p: PoolAttributes) -> [Int] {
        [x[0], p.outputExtent(x[1]), p.outputExtent(x[2]), x[3]]
    }

    /// The first maximum of a window (row-major order): ties go to the earliest tap.
    static func argmax<S: IRScalar>(_ x: [S], _ taps: [Int]) -> Int {
        var best = taps[0]
        for t in taps.dropFirst() where x[t] > x[best] { best = t }
        return best
    }

    /// y (B,OH,OW,C) = max over each window of x (B,H,W,C)
    public static func maxPool<S: IRScalar>(_ x: Tensor<S>, _ p: PoolAttributes) -> Tensor<S> {
        let shape = poolShape(x.shape, p)
        var y = [S](repeating: 0, count: shape.reduce(1, *))
        forEachWindow(x.shape, p) { o, taps in y[o] = x.scalars[argmax(x.scalars, taps)] }
        return Tensor(shape: shape, scalars: y)
    }

    /// dx (B,H,W,C): each window's dy goes to its first maximum.
    public static func maxPoolGrad<S: IRScalar>(_ x: Tensor<S>, _ dy: Tensor<S>, _ p: PoolAttributes) -> Tensor<S> {
        var dx = [S](repeating: 0, count: x.count)
        forEachWindow(x.shape, p) { o, taps in dx[argmax(x.scalars, taps)] += dy.scalars[o] }
        return Tensor(shape: x.shape, scalars: dx)
    }

    /// y (B,OH,OW,C) = mean over each window's real elements of x (B,H,W,C)
    public static func avgPool<S: IRScalar>(_ x: Tensor<S>, _ p: PoolAttributes) -> Tensor<S> {
        let shape = poolShape(x.shape, p)
        var y = [S](repeating: 0, count: shape.reduce(1, *))
        forEachWindow(x.shape, p) { o, taps in
            var s: S = 0
            for t in taps { s += x.scalars[t] }
            y[o] = s * (1 / S(taps.count))
        }
        return Tensor(shape: shape, scalars: y)
    }

    /// dx (B,H,W,C): each window's dy spread evenly over its real elements.
    public static func avgPoolGrad<S: IRScalar>(_ dy: Tensor<S>, inputShape: [Int], _ p: PoolAttributes) -> Tensor<S> {
        var dx = [S](repeating: 0, count: inputShape.reduce(1, *))
        forEachWindow(inputShape, p) { o, taps in
            let inv = 1 / S(taps.count)
            for t in taps { dx[t] += dy.scalars[o] * inv }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }

    /// y (B,C) = mean over H and W of x (B,H,W,C)
    public static func spatialMean<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        let (b, hw, c) = (x.shape[0], x.shape[1] * x.shape[2], x.shape[3])
        var y = [S](repeating: 0, count: b * c)
        for n in 0..<b {
            for i in 0..<hw { for ch in 0..<c { y[n * c + ch] += x.scalars[(n * hw + i) * c + ch] } }
        }
        let inv = 1 / S(hw)
        return Tensor(shape: [b, c], scalars: y.map { $0 * inv })
    }

    /// dx (B,H,W,C) = dy (B,C) / (H*W) at every pixel
    public static func spatialMeanGrad<S: IRScalar>(_ dy: Tensor<S>, inputShape: [Int]) -> Tensor<S> {
        let (b, hw, c) = (inputShape[0], inputShape[1] * inputShape[2], inputShape[3])
        let inv = 1 / S(hw)
        var dx = [S](repeating: 0, count: b * hw * c)
        for n in 0..<b {
            for i in 0..<hw { for ch in 0..<c { dx[(n * hw + i) * c + ch] = dy.scalars[n * c + ch] * inv } }
        }
        return Tensor(shape: inputShape, scalars: dx)
    }
}
