/// Batch normalisation over every axis but the last (channels), and dropout.
extension ReferenceKernels {
    /// Per-channel mean and biased variance of x (..., C), as `tf.nn.moments` computes them.
    static func moments<S: IRScalar>(_ x: Tensor<S>) -> (mean: [S], variance: [S]) {
        let c = x.shape.last!, n = x.count / c
        var mean = [S](repeating: 0, count: c), variance = [S](repeating: 0, count: c)
        for i in 0..<n { for ch in 0..<c { mean[ch] += x.scalars[i * c + ch] } }
        for ch in 0..<c { mean[ch] /= S(n) }
        for i in 0..<n {
            for ch in 0..<c {
                let d = x.scalars[i * c + ch] - mean[ch]
                variance[ch] += d * d
            }
        }
        for ch in 0..<c { variance[ch] /= S(n) }
        return (mean, variance)
    }

    /// (C) mean over every axis but the last
    public static func batchMean<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        Tensor(shape: [x.shape.last!], scalars: moments(x).mean)
    }

    /// (C) biased variance over every axis but the last
    public static func batchVariance<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        Tensor(shape: [x.shape.last!], scalars: moments(x).variance)
    }

    /// y = gamma * (x - mean) / sqrt(variance + eps) + beta, per channel.
    public static func batchNorm<S: IRScalar>(_ x: Tensor<S>, gamma: Tensor<S>, beta: Tensor<S>,
                                    mean: [S], variance: [S], epsilon: Double) -> Tensor<S> {
        let c = x.shape.last!
        let inv = variance.map { 1 / ($0 + S(epsilon)).squareRoot() }
        var y = x.scalars
        for i in 0..<y.count {
            let ch = i % c
            y[i] = gamma.scalars[ch] * (y[i] - mean[ch]) * inv[ch] + beta.scalars[ch]
        }
        return Tensor(shape: x.shape, scalars: y)
    }

    /// dx of training-mode batch norm, through the batch statistics:
    /// dx = invstd/N * (N*g - sum(g) - xhat*sum(g*xhat)), where g = dy*gamma.
    public static func batchNormGradInput<S: IRScalar>(_ dy: Tensor<S>, _ x: Tensor<S>, gamma: Tensor<S>,
                                             epsilon: Double) -> Tensor<S> {
        let c = x.shape.last!, n = x.count / c
        let (mean, variance) = moments(x)
        let inv = variance.map { 1 / ($0 + S(epsilon)).squareRoot() }
        var sumG = [S](repeating: 0, count: c), sumGX = [S](repeating: 0, count: c)
        for i in 0..<x.count {
            let ch = i % c
            let g = dy.scalars[i] * gamma.scalars[ch]
            sumG[ch] += g
            sumGX[ch] += g * (x.scalars[i] - mean[ch]) * inv[ch]
        }
        var dx = [S](repeating: 0, count: x.count)
        let nn = S(n)
        for i in 0..<x.count {
            let ch = i % c
            let xhat = (x.scalars[i] - mean[ch]) * inv[ch]
            let g = dy.scalars[i] * gamma.scalars[ch]
            dx[i] = inv[ch] / nn * (nn * g - sumG[ch] - xhat * sumGX[ch])
        }
        return Tensor(shape: x.shape, scalars: dx)
    }

    /// dgamma (C) = sum(dy * xhat) with the batch statistics of x.
    public static func batchNormGradGamma<S: IRScalar>(_ dy: Tensor<S>, _ x: Tensor<S>, epsilon: Double) -> Tensor<S> {
        let c = x.shape.last!
        let (mean, variance) = moments(x)
        let inv = variance.map { 1 / ($0 + S(epsilon)).squareRoot() }
        var dg = [S](repeating: 0, count: c)
        for i in 0..<x.count {
            let ch = i % c
            dg[ch] += dy.scalars[i] * (x.scalars[i] - mean[ch]) * inv[ch]
        }
        return Tensor(shape: [c], scalars: dg)
    }

    /// Inverted dropout with the mask of `DropoutMask`; also its own gradient (same mask, same scale).
    public static func dropout<S: IRScalar>(_ x: Tensor<S>, seed: Int, _ a: DropoutAttributes) -> Tensor<S> {
        let scale = S(1 / (1 - a.rate))
        var y = x.scalars
        for i in 0..<y.count {
            y[i] = DropoutMask.keeps(seed: seed, salt: a.salt, index: i, rate: a.rate) ? y[i] * scale : 0
        }
        return Tensor(shape: x.shape, scalars: y)
    }
}
