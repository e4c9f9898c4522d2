/// Softmax, cross-entropy and accuracy over rows of (B, K).
extension ReferenceKernels {
    /// Softmax over the last axis, shifted by the row maximum for stability.
    public static func softmax<S: IRScalar>(_ x: Tensor<S>) -> Tensor<S> {
        let k = x.shape.last!
        var y = x.scalars
        for r in 0..<(x.count / k) {
            let row = r * k..<(r + 1) * k
            let m = y[row].max()!
            var s: S = 0
            for i in row { y[i] = S.exp(y[i] - m); s += y[i] }
            for i in row { y[i] /= s }
        }
        return Tensor(shape: x.shape, scalars: y)
    }

    /// dx = y * (dy - sum(dy * y)) per row, from the softmax output y.
    public static func softmaxGrad<S: IRScalar>(_ dy: Tensor<S>, _ y: Tensor<S>) -> Tensor<S> {
        let k = y.shape.last!
        var dx = y.scalars
        for r in 0..<(y.count / k) {
            let row = r * k..<(r + 1) * k
            var dot: S = 0
            for i in row { dot += dy.scalars[i] * y.scalars[i] }
            for i in row { dx[i] = y.scalars[i] * (dy.scalars[i] - dot) }
        }
        return Tensor(shape: y.shape, scalars: dx)
    }

    /// Mean over rows of -log softmax(logits)[label], via log-sum-exp. logits (B,K), labels (B).
    public static func softmaxCrossEntropy<S: IRScalar>(_ logits: Tensor<S>, _ labels: Tensor<S>) -> Tensor<S> {
        let (b, k) = (logits.shape[0], logits.shape[1])
        var total: S = 0
        for r in 0..<b {
            let row = logits.scalars[r * k..<(r + 1) * k]
            let m = row.max()!
            var s: S = 0
            for v in row { s += S.exp(v - m) }
            total += m + S.log(s) - row[r * k + Int(labels.scalars[r])]
        }
        return Tensor(scalar: total / S(b))
    }

    /// dlogits (B,K) = (softmax(logits) - onehot(labels)) / B * dloss
    public static func softmaxCrossEntropyGrad<S: IRScalar>(_ logits: Tensor<S>, _ labels: Tensor<S>,
                                                  _ dloss: Tensor<S>) -> Tensor<S> {
        let (b, k) = (logits.shape[0], logits.shape[1])
        var d = softmax(logits).scalars
        for r in 0..<b { d[r * k + Int(labels.scalars[r])] -= 1 }
        let scale = dloss.scalar / S(b)
        return Tensor(shape: logits.shape, scalars: d.map { $0 * scale })
    }

    /// The number of rows whose first maximum is at the label, as an f32 scalar.
    public static func correctCount<S: IRScalar>(_ logits: Tensor<S>, _ labels: Tensor<S>) -> Tensor<S> {
        let (b, k) = (logits.shape[0], logits.shape[1])
        var correct = 0
        for r in 0..<b {
            var best = 0
            for j in 1..<k where logits.scalars[r * k + j] > logits.scalars[r * k + best] { best = j }
            if best == Int(labels.scalars[r]) { correct += 1 }
        }
        return Tensor(scalar: S(correct))
    }
}
