import ConvnetKernels

/// Softmax, cross-entropy and accuracy over rows of (B, K): tensor-level wrappers over
/// `SoftmaxCrossEntropyReference`.
extension ReferenceKernels {
    /// Softmax over the last axis, shifted by the row maximum for stability.
    public static func softmax<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        let k = x.shape.last!
        return make(x.shape) { y in
            read(x) { xp in SoftmaxCrossEntropyReference.softmax(logits: xp, batch: x.count / k, classes: k, probabilities: y) }
        }
    }

    /// dx = y * (dy - sum(dy * y)) per row, from the softmax output y.
    public static func softmaxGrad<S: IRScalar>(_ dy: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> {
        let k = y.shape.last!
        return make(y.shape) { dx in
            read(dy) { dp in read(y) { yp in
                SoftmaxCrossEntropyReference.softmaxBackward(outputGradient: dp, probabilities: yp, batch: y.count / k,
                                                             classes: k, inputGradient: dx)
            } }
        }
    }

    /// Mean over rows of -log softmax(logits)[label], via log-sum-exp. logits (B,K), labels (B).
    public static func softmaxCrossEntropy<S: IRScalar>(_ logits: Tensor<S>, _ labels: Tensor<S>,
                                                        labelSmoothing: Double = 0) -> Tensor<S> {
        let (b, k) = (logits.shape[0], logits.shape[1])
        var probabilities = [S](repeating: 0, count: b * k)  // (B,K), not returned
        let loss = read(logits) { lp in
            self.labels(labels).withUnsafeBufferPointer { yp in
                probabilities.withUnsafeMutableBufferPointer { pp in
                    SoftmaxCrossEntropyReference.forward(logits: lp, labels: yp.baseAddress!, batch: b, classes: k,
                                                         probabilities: pp.baseAddress!, labelSmoothing: S(labelSmoothing))
                }
            }
        }
        return Tensor(scalar: loss)
    }

    /// dlogits (B,K) = (softmax(logits) - onehot(labels)) / B * dloss
    public static func softmaxCrossEntropyGrad<S: IRScalar>(_ logits: Tensor<S>, _ labels: Tensor<S>,
                                                            _ dloss: Tensor<S>, labelSmoothing: Double = 0) -> Tensor<S> {
        let (b, k) = (logits.shape[0], logits.shape[1])
        let p = softmax(logits)
        let d: Tensor<S> = make(logits.shape) { d in
            read(p) { pp in self.labels(labels).withUnsafeBufferPointer { yp in
                SoftmaxCrossEntropyReference.backward(probabilities: pp, labels: yp.baseAddress!, batch: b, classes: k,
                                                      logitsGradient: d, labelSmoothing: S(labelSmoothing))
            } }
        }
        return Tensor(shape: d.shape, scalars: d.scalars.map { $0 * dloss.scalar })
    }

    /// The number of rows whose first maximum is at the label, as an f32 scalar.
    public static func correctCount<S: IRScalar>(_ logits: Tensor<S>, _ labels: Tensor<S>) -> Tensor<S> {
        let (b, k) = (logits.shape[0], logits.shape[1])
        let correct = read(logits) { lp in
            self.labels(labels).withUnsafeBufferPointer { yp in
                SoftmaxCrossEntropyReference.correctCount(scores: lp, labels: yp.baseAddress!, batch: b, classes: k)
            }
        }
        return Tensor(scalar: S(correct))
    }
}
