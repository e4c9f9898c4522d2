import ConvnetIR
import ConvnetKernels

/// The classifier head: softmax, its gradient, cross-entropy and its gradient, accuracy.
extension ThunkBuilder {
    func lowerLoss(_ inst: Instruction, _ c: Context) {
        let a = inst.operands
        let out = c.f(inst.result)
        let logitsShape = c.shape(a[0])
        let classes = logitsShape.last ?? 1
        let rows = c.count(a[0]) / max(classes, 1)
        guard case .loss(let op) = inst.op.family else { preconditionFailure("\(inst.op.mnemonic) is not a loss op") }
        switch op {
        case .softmax:
            let x = c.f(a[0])
            add(inst) { SoftmaxCrossEntropy.softmax(logits: x, batch: rows, classes: classes, probabilities: out) }
        case .softmaxGrad:
            // (dy, y) -> y * (dy - sum(dy * y)) per row
            let dy = c.f(a[0]), y = c.f(a[1])
            add(inst) {
                for r in 0..<rows {
                    let d = dy + r * classes, p = y + r * classes, o = out + r * classes
                    var dot: Float = 0
                    for k in 0..<classes { dot += d[k] * p[k] }
                    for k in 0..<classes { o[k] = p[k] * (d[k] - dot) }
                }
            }
        case .softmaxCrossEntropy(let smoothing):
            let logits = c.f(a[0]), labels = c.i32(a[1])
            let probabilities = arena.floats(rows * classes)  // (B, K)
            let s = Float(smoothing)
            add(inst) {
                out[0] = SoftmaxCrossEntropy.forward(logits: logits, labels: labels, batch: rows, classes: classes,
                                                     probabilities: probabilities, labelSmoothing: s)
            }
        case .softmaxCrossEntropyGrad(let smoothing):
            // (logits, labels, dloss) -> (softmax - targets) / B * dloss, targets onehot * (1 - s) + s / K
            let logits = c.f(a[0]), labels = c.i32(a[1]), dloss = c.f(a[2])
            let s = Float(smoothing), floor = Float(smoothing) / Float(classes)
            add(inst) {
                SoftmaxCrossEntropy.softmax(logits: logits, batch: rows, classes: classes, probabilities: out)
                let scale = dloss[0] / Float(rows)
                if s != 0 { for i in 0..<(rows * classes) { out[i] -= floor } }
                for r in 0..<rows { out[r * classes + Int(labels[r])] -= 1 - s }
                for i in 0..<(rows * classes) { out[i] *= scale }
            }
        case .correctCount:
            let logits = c.f(a[0]), labels = c.i32(a[1])
            add(inst) {
                out[0] = Float(SoftmaxCrossEntropy.correctCount(scores: logits, labels: labels,
                                                                batch: rows, classes: classes))
            }
        }
    }
}
