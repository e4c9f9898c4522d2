import ConvnetSema
import ConvnetTestSupport
import ConvnetSyntax
import ConvnetIR


/// conv same/valid/stride 2, maxpool, avgpool, batchnorm, dropout, gap, flatten, dense with
/// every activation: every layer kind the builder lowers.
func everyLayerModel() -> CheckedModel {
    model(.spatial(12, 12, 3), [
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 4, activation: .relu)),
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 5, stride: 2, padding: .same, activation: .tanh)),
        .batchNorm(BatchNormDecl()),
        .maxPool(PoolDecl(size: 2)),
        .conv(ConvDecl(kernelHeight: 2, kernelWidth: 2, filters: 6, padding: .valid, activation: .sigmoid)),
        .conv(ConvDecl(kernelHeight: 1, kernelWidth: 1, filters: 4, activation: .relu)),
        .avgPool(PoolDecl(size: 2, stride: 1)),
        .dropout(rate: 0.25),
        .flatten,
        .dense(DenseDecl(units: 6, activation: .relu)),
        .dense(DenseDecl(units: 3, activation: .softmax)),
    ])
}

/// A second model ending in gap (global average pooling) then dense softmax.
func gapModel() -> CheckedModel {
    model(.spatial(8, 8, 3), [
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 4, activation: .relu)),
        .maxPool(PoolDecl(size: 2)),
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 5, stride: 2, padding: .valid, activation: .relu)),
        .globalAveragePool,
        .dense(DenseDecl(units: 3, activation: .softmax)),
    ])
}

/// Fills every input of `a` (and `b` with the same values): weights with Keras-style initial
/// values, slots with zeros, images uniform in [-1, 1), labels and seed fixed.
func feed(_ execs: [any ExecutableProgram], seed: UInt64 = 11, step: Float = 1, learningRate: Float = 0.01) {
    let program = execs[0].program
    var rng = TestRandom(seed: seed)
    for input in program.graph.inputs {
        guard let name = input.name else { continue }
        let n = input.type.elementCount
        if input.type.element == .i32 {
            let values: [Int32] = name == IRProgram.Names.labels
                ? (0..<n).map { _ in Int32(rng.next() % 3) } : [Int32(rng.next() % 1000)]
            for e in execs { _ = e.int32s(input: name).update(fromContentsOf: values) }
            continue
        }
        let values: [Float]
        if let p = (program.parameters + program.optimizerSlots).first(where: { $0.name == name }) {
            switch p.initializer {
            case .zeros: values = Array(repeating: 0, count: n)
            case .ones: values = Array(repeating: 1, count: n)
            case .glorotUniform: values = rng.values(n, -p.initializer.limit, p.initializer.limit).map(Float.init)
            }
        } else if name == IRProgram.Names.step {
            values = [step]
        } else if name == IRProgram.Names.learningRate {
            values = [learningRate]
        } else {
            values = rng.values(n, -1, 1).map(Float.init)
        }
        for e in execs { _ = e.floats(input: name).update(fromContentsOf: values) }
    }
}

/// The largest |a - b| / max(1, |b|) over two buffers.
func maxRelativeError(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
    precondition(a.count == b.count)
    var worst: Float = 0
    for i in 0..<a.count {
        let e = abs(a[i] - b[i]) / max(1, abs(b[i]))
        if !(e <= worst) { worst = e.isNaN ? .infinity : max(worst, e) }
    }
    return worst
}
