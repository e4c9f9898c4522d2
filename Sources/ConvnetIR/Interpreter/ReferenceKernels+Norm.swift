import ConvnetKernels

/// Batch normalisation over every axis but the last (channels), and dropout: tensor-level
/// wrappers over `BatchNormReference` and `DropoutReference`.
extension ReferenceKernels {
    /// Per-channel mean and biased variance of x (..., C), as `tf.nn.moments` computes them.
    static func moments<S: IRScalar>(_ x: Tensor<S>) -> (mean: [S], variance: [S]) {
        let c = x.shape.last!
        return read(x) { BatchNormReference.statistics(input: $0, rows: x.count / c, channels: c) }
    }

    /// (C) mean over every axis but the last
    public static func batchMean<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        Tensor(shape: [x.shape.last!], scalars: moments(x).mean)
    }

    /// (C) biased variance over every axis but the last
    public static func batchVariance<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        Tensor(shape: [x.shape.last!], scalars: moments(x).variance)
    }

    /// y = gamma * (x - mean) / sqrt(variance + eps) + beta, per channel, with the given
    /// statistics (the batch's in training, the moving ones in inference).
    public static func batchNorm<S: IRScalar>(_ x: Tensor<S>, gamma: Tensor<S>, beta: Tensor<S>,
                                              mean: [S], variance: [S], epsilon: Double) -> Tensor<S> {
        let c = x.shape.last!
        return make(x.shape) { y in
            read(x) { xp in read(gamma) { gp in read(beta) { bp in
                mean.withUnsafeBufferPointer { mp in variance.withUnsafeBufferPointer { vp in
                    BatchNormReference.inferenceForward(input: xp, rows: x.count / c, channels: c, gamma: gp, beta: bp,
                                                        movingMean: mp.baseAddress!, movingVariance: vp.baseAddress!,
                                                        output: y, epsilon: S(epsilon))
                } }
            } } }
        }
    }

    /// dx, dgamma (C) of training-mode batch norm, through the batch statistics.
    static func batchNormBackward<S: IRScalar>(_ dy: Tensor<S>, _ x: Tensor<S>, gamma: [S],
                                               epsilon: Double) -> (dx: Tensor<S>, dgamma: Tensor<S>) {
        let c = x.shape.last!
        var dgamma = [S](repeating: 0, count: c), dbeta = [S](repeating: 0, count: c)
        let dx: Tensor<S> = make(x.shape) { dx in
            read(dy) { dp in read(x) { xp in gamma.withUnsafeBufferPointer { gp in
                dgamma.withUnsafeMutableBufferPointer { dg in dbeta.withUnsafeMutableBufferPointer { db in
                    BatchNormReference.backward(input: xp, outputGradient: dp, rows: x.count / c, channels: c,
                                                gamma: gp.baseAddress!, inputGradient: dx, gammaGradient: dg.baseAddress!,
                                                betaGradient: db.baseAddress!, epsilon: S(epsilon))
                } }
            } } }
        }
        return (dx, Tensor(shape: [c], scalars: dgamma))
    }

    /// dx of training-mode batch norm, through the batch statistics.
    public static func batchNormGradInput<S: IRScalar>(_ dy: Tensor<S>, _ x: Tensor<S>, gamma: Tensor<S>,
                                                       epsilon: Double) -> Tensor<S> {
        batchNormBackward(dy, x, gamma: gamma.scalars, epsilon: epsilon).dx
    }

    /// dgamma (C) = sum(dy * xhat) with the batch statistics of x.
    public static func batchNormGradGamma<S: IRScalar>(_ dy: Tensor<S>, _ x: Tensor<S>, epsilon: Double) -> Tensor<S> {
        batchNormBackward(dy, x, gamma: [S](repeating: 1, count: x.shape.last!), epsilon: epsilon).dgamma
    }

    /// Inverted dropout with the mask of `DropoutMask`; also its own gradient (same mask, same scale).
    public static func dropout<S: IRScalar>(_ x: Tensor<S>, seed: Int, _ a: DropoutAttributes) -> Tensor<S> {
        make(x.shape) { y in
            read(x) { xp in DropoutReference.apply(input: xp, output: y, count: x.count, rate: a.rate, seed: seed, salt: a.salt) }
        }
    }
}
