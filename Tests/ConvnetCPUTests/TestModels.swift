import ConvnetSema
import ConvnetSyntax
import ConvnetIR

// Copied from ConvnetIRTests/TestModels.swift (test targets cannot share files).
/// Builds a `CheckedModel` by hand with Keras' shape rules and layer names, standing in for
/// the parser and semantic pass (written in parallel).
func model(_ input: TensorShape, _ layers: [LayerKind]) -> CheckedModel {
    var counters: [String: Int] = [:]
    var shape = input
    var checked: [CheckedLayer] = []
    for (i, kind) in layers.enumerated() {
        let (base, keras): (String, String)
        var out = shape
        var params = 0, trainable = 0, macs = 0
        switch kind {
        case .conv(let c):
            (base, keras) = ("conv2d", "Conv2D")
            func extent(_ n: Int, _ k: Int) -> Int {
                c.padding == .same ? (n + c.stride - 1) / c.stride : (n - k) / c.stride + 1
            }
            out = .spatial(extent(shape.height, c.kernelHeight), extent(shape.width, c.kernelWidth), c.filters)
            params = c.kernelHeight * c.kernelWidth * shape.channels * c.filters + c.filters
            trainable = params
            macs = out.elementCount! * c.kernelHeight * c.kernelWidth * shape.channels
        case .maxPool(let p), .avgPool(let p):
            if case .maxPool = kind { (base, keras) = ("max_pooling2d", "MaxPooling2D") }
            else { (base, keras) = ("average_pooling2d", "AveragePooling2D") }
            out = .spatial((shape.height - p.size) / p.stride + 1, (shape.width - p.size) / p.stride + 1, shape.channels)
        case .globalAveragePool:
            (base, keras) = ("global_average_pooling2d", "GlobalAveragePooling2D")
            out = .flat(shape.channels)
        case .flatten:
            (base, keras) = ("flatten", "Flatten")
            out = .flat(shape.elementCount!)
        case .dense(let d):
            (base, keras) = ("dense", "Dense")
            out = .flat(d.units)
            params = shape.elementCount! * d.units + d.units
            trainable = params
            macs = shape.elementCount! * d.units
        case .dropout:
            (base, keras) = ("dropout", "Dropout")
        case .batchNorm:
            (base, keras) = ("batch_normalization", "BatchNormalization")
            params = 4 * shape.channels
            trainable = 2 * shape.channels
        }
        let k = counters[base, default: 0]
        counters[base] = k + 1
        let decl = LayerDecl(kind: kind, range: SourceRange(0, 0), keywordRange: SourceRange(0, 0))
        checked.append(CheckedLayer(index: i, decl: decl, name: k == 0 ? base : "\(base)_\(k)", kerasType: keras,
                                    inputShape: shape, outputShape: out, params: params, trainableParams: trainable,
                                    macs: macs, activationBytes: 4 * out.elementCount!))
        shape = out
    }
    let file = ModelFile(source: SourceFile(path: "test.convnet", bytes: []))
    return CheckedModel(file: file, inputShape: input, inputSource: .file, layers: checked, train: TrainSettings())
}

/// The model the brief asks the whole-model gradient check to use:
/// conv relu -> maxpool -> conv -> gap -> dense softmax, on 8x8x3.
func smallModel() -> CheckedModel {
    model(.spatial(8, 8, 3), [
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 4, activation: .relu)),
        .maxPool(PoolDecl(size: 2)),
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 5)),
        .globalAveragePool,
        .dense(DenseDecl(units: 3, activation: .softmax)),
    ])
}

/// A small deterministic generator (SplitMix64) so tests never depend on system randomness.
struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }

    /// Values in +-[0.1, 1]: away from relu's kink and distinct enough to avoid max-pool ties.
    mutating func awayFromZero(_ n: Int) -> [Double] {
        (0..<n).map { _ in (next() & 1 == 0 ? 1 : -1) * uniform(0.1, 1) }
    }

    mutating func values(_ n: Int, _ lo: Double, _ hi: Double) -> [Double] {
        (0..<n).map { _ in uniform(lo, hi) }
    }
}

/// conv same/valid/stride 2, maxpool, avgpool, batchnorm, dropout, gap, flatten, dense with
/// every activation: every layer kind the builder lowers.
func everyLayerModel() -> CheckedModel {
    model(.spatial(12, 12, 3), [
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 4, activation: .relu)),
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 5, stride: 2, padding: .same, activation: .tanh)),
        .batchNorm,
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
