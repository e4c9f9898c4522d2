import ConvnetIR
import ConvnetKernels
import ConvnetNativeRuntime
import ConvnetOptimizer

/// Emits the code of one instruction (top level, or the producer inside a backward fusion) as
/// direct calls into ConvnetKernels with every shape a literal: the same kernels, in the same
/// order, as the CPU executor's steps.
struct OpEmitter {
    /// Pointer expression of a value.
    let name: (ValueID) -> String
    let type: (ValueID) -> TensorType
    /// The conv scratch of the generated program (its name in the generated code).
    let scratch = "scratch"
    /// Where fused convolutions register their `ParallelConv`.
    let convs: ConvRegistry
    /// Winner codes, bias sums and batch statistics kept between kernels.
    let side: SideStorage
    /// Floats between the rows of a value the plan stores as a channel view of another's
    /// buffer (`ChannelViews`: a concat operand written in place, a concat gradient's slice
    /// read in place); nil for a value with its own buffer.
    var stride: (ValueID) -> Int? = { _ in nil }

    func shape(_ v: ValueID) -> [Int] { type(v).shape }

    /// `ConvGeometry(...)` for input shape `x` and `filters` filters.
    static func geometry(_ x: [Int], filters: Int, _ a: ConvAttributes) -> String {
        "ConvGeometry(batch: \(x[0]), inHeight: \(x[1]), inWidth: \(x[2]), inChannels: \(x[3]), "
            + "kernelHeight: \(a.kernelHeight), kernelWidth: \(a.kernelWidth), filters: \(filters), "
            + "stride: \(a.stride), padding: .\(a.padding == .same ? "same" : "valid"))"
    }

    /// `DepthwiseGeometry(...)` for input shape `x` and `multiplier` filters per channel.
    static func depthwise(_ x: [Int], multiplier: Int, _ a: ConvAttributes) -> String {
        "DepthwiseGeometry(batch: \(x[0]), inHeight: \(x[1]), inWidth: \(x[2]), inChannels: \(x[3]), "
            + "kernelHeight: \(a.kernelHeight), kernelWidth: \(a.kernelWidth), multiplier: \(multiplier), "
            + "stride: \(a.stride), padding: .\(a.padding == .same ? "same" : "valid"))"
    }

    /// The plan of a depthwise convolution must be the float32 depthwise kernels the emitted
    /// code calls (kernel selection decided it; a TPU plan is an error, not re-decided).
    static func checkDepthwisePlan(_ inst: Instruction) throws {
        guard inst.kernel?.convolution == .depthwise else {
            throw EmitError("\(inst.op.mnemonic)" + (inst.layer.map { " (layer \($0))" } ?? "")
                            + " is planned \(inst.kernel?.printed ?? "with no kernel"); the native target runs kernel=depthwise")
        }
    }

    static func pool(_ x: [Int], _ p: PoolAttributes) -> String {
        "PoolGeometry(batch: \(x[0]), inHeight: \(x[1]), inWidth: \(x[2]), channels: \(x[3]), "
            + "pool: \(p.size), stride: \(p.stride)\(p.padding == .same ? ", same: true" : ""))"
    }

    /// Floats of chunked im2col scratch a convolution of input `x` needs for `images` images.
    static func scratchFloats(_ x: [Int], filters: Int, _ a: ConvAttributes, images: Int) -> Int {
        if a.kernelHeight == 1, a.kernelWidth == 1, a.stride == 1 { return 0 }
        let oh = a.outputExtent(x[1], kernel: a.kernelHeight), ow = a.outputExtent(x[2], kernel: a.kernelWidth)
        return images * oh * ow * a.kernelHeight * a.kernelWidth * x[3]
    }

    /// Whether `MaxPoolKernels` handles pools `p` (`PoolGeometry.winnerKernelsApply`, as the CPU executor).
    static func poolKernelsApply(_ p: PoolAttributes) -> Bool {
        PoolGeometry.winnerKernelsApply(size: p.size, stride: p.stride, padded: p.padding == .same)
    }

    /// `, winners: arena.bytes(N)` when a forward pool over `x` recorded them, else "".
    func winners(_ x: ValueID, _ geometry: String) -> String {
        side.winners(input: name(x), geometry: geometry).map { ", winners: arena.bytes(\($0))" } ?? ""
    }

    /// Writes `inst` with its result stored at `out`.
    func emit(_ inst: Instruction, out: String, into w: inout CodeWriter) throws {
        let a = inst.operands
        let n = inst.type.elementCount
        switch inst.op {
        case .input:
            return
        case .constant(let v):
            w.line(n == 1 ? "\(out)[0] = \(Literal.float(v))" : "\(out).update(repeating: \(Literal.float(v)), count: \(n))")
        case .unary, .binary, .activation, .activationGrad, .biasAdd:
            try ElementwiseEmitter(name: name, type: type).emit([inst], count: n, output: out, into: &w)
        case .convert:
            switch (type(a[0]).element, inst.type.element) {
            case (.f32, .i32): w.line("for i in 0..<\(n) { \(out)[i] = Int32(\(name(a[0]))[i].rounded(.towardZero)) }")
            case (.i32, .f32): w.line("for i in 0..<\(n) { \(out)[i] = Float(\(name(a[0]))[i]) }")
            default: w.line("\(out).update(from: \(name(a[0])), count: \(n))")
            }
        case .broadcast:
            w.line("\(out).update(repeating: \(name(a[0]))[0], count: \(n))")
        case .reduceSum:
            w.line("\(out)[0] = Parallel.sum(\(name(a[0])), count: \(type(a[0]).elementCount))")
        case .reshape:
            if name(a[0]) != out { w.line("\(out).update(from: \(name(a[0])), count: \(n))") }
        case .conv2d(let c):
            w.line("Conv2D.forward(\(Self.geometry(shape(a[0]), filters: shape(a[1])[3], c)),")
            w.line("               input: \(name(a[0])), weights: \(name(a[1])), output: \(out), scratch: \(scratch))")
        case .conv2dInputGrad(let c):
            w.line("Conv2D.backwardInput(\(Self.geometry(inst.type.shape, filters: shape(a[1])[3], c)),")
            w.line("                     outputGradient: \(name(a[0])), weights: \(name(a[1])), inputGradient: \(out), scratch: \(scratch))")
        case .conv2dFilterGrad(let c):
            w.line("Conv2D.backwardFilter(\(Self.geometry(shape(a[0]), filters: shape(a[1])[3], c)),")
            w.line("                      input: \(name(a[0])), outputGradient: \(name(a[1])), weightGradient: \(out), scratch: \(scratch))")
        case .im2col(let c):
            let x = shape(a[0])
            w.line("Im2col.im2col(\(Self.geometry(x, filters: 1, c)),")
            w.line("              input: \(name(a[0])), images: 0..<\(x[0]), columns: \(out))")
        case .col2im(let c):
            let x = inst.type.shape
            w.line("Im2col.col2im(\(Self.geometry(x, filters: 1, c)),")
            w.line("              columns: \(name(a[0])), images: 0..<\(x[0]), inputGradient: \(out))")
        case .matmul(let ta, let tb):
            let sa = shape(a[0]), sb = shape(a[1])
            let m = inst.type.shape[0], nn = inst.type.shape[1], k = ta ? sa[0] : sa[1]
            precondition(tb ? sb[1] == k : sb[0] == k, "matmul shapes")
            w.line("BLAS.gemm(m: \(m), n: \(nn), k: \(k), a: \(name(a[0])), transposeA: \(ta), "
                   + "b: \(name(a[1])), transposeB: \(tb), c: \(out))")
        case .maxPool(let p) where Self.poolKernelsApply(p):
            let g = Self.pool(shape(a[0]), p)
            if side.recordsWinners {
                let at = side.recordWinners(input: name(a[0]), geometry: g, count: n)
                w.line("MaxPoolKernels.forward(\(g), input: \(name(a[0])), output: \(out),")
                w.line("                       winners: arena.bytes(\(at)))  // (\(inst.type.shape.map(String.init).joined(separator: ", "))) bytes")
            } else {
                w.line("MaxPoolKernels.forward(\(g), input: \(name(a[0])), output: \(out))")
            }
        case .maxPoolGrad(let p) where Self.poolKernelsApply(p):
            let g = Self.pool(shape(a[0]), p)
            w.line("MaxPoolKernels.backward(\(g), input: \(name(a[0]))\(winners(a[0], g)),")
            w.line("                        outputGradient: \(name(a[1])), inputGradient: \(out))")
        case .maxPool(let p):
            w.line("Pooling.maxForward(\(Self.pool(shape(a[0]), p)), input: \(name(a[0])), output: \(out))")
        case .avgPool(let p):
            w.line("Pooling.averageForward(\(Self.pool(shape(a[0]), p)), input: \(name(a[0])), output: \(out))")
        case .maxPoolGrad(let p):
            w.line("Pooling.maxBackward(\(Self.pool(shape(a[0]), p)), input: \(name(a[0])),")
            w.line("                    outputGradient: \(name(a[1])), inputGradient: \(out))")
        case .avgPoolGrad(let p):
            w.line("Pooling.averageBackward(\(Self.pool(inst.type.shape, p)), outputGradient: \(name(a[0])), inputGradient: \(out))")
        case .spatialMean:
            let s = shape(a[0])
            w.line("GlobalAveragePool.forward(batch: \(s[0]), height: \(s[1]), width: \(s[2]), channels: \(s[3]),")
            w.line("                          input: \(name(a[0])), output: \(out))")
        case .spatialMeanGrad:
            let s = inst.type.shape
            w.line("GlobalAveragePool.backward(batch: \(s[0]), height: \(s[1]), width: \(s[2]), channels: \(s[3]),")
            w.line("                           outputGradient: \(name(a[0])), inputGradient: \(out))")
        case .biasGrad:
            let rows = type(a[0]).elementCount / max(n, 1)
            if let sums = side.recordedGradientSums(of: name(a[0]), channels: n) {
                // A batch norm's beta: its backward pass summed dy already (`BatchNorm.gradientSums`).
                w.line("for k in 0..<\(n) { \(out)[k] = Float(arena.doubles(\(sums))[k]) }")
            } else {
                w.line("Epilogue.biasGradient(\(name(a[0])), rows: \(rows), columns: \(n), into: \(out)\(strideArgument("rowStride", a[0])))")
            }
        case .softmax, .softmaxGrad, .softmaxCrossEntropy, .softmaxCrossEntropyGrad, .correctCount:
            try emitLoss(inst, out: out, into: &w)
        case .batchNormTraining, .batchNormInference, .batchMean, .batchVariance,
             .batchNormGradInput, .batchNormGradGamma:
            emitNorm(inst, out: out, into: &w)
        case .dropout(let d), .dropoutGrad(let d):
            // The kernels' `Dropout` on `DropoutMask`, as the CPU executor runs it.
            w.line("Dropout.forward(input: \(name(a[0])), output: \(out), count: \(n), rate: \(d.rate), "
                   + "seed: \(name(a[1]))[0], salt: \(d.salt))")
        case .depthwiseConv2d(let c):
            try Self.checkDepthwisePlan(inst)
            w.line("DepthwiseConv.forward(\(Self.depthwise(shape(a[0]), multiplier: shape(a[1])[3], c)),")
            w.line("                      input: \(name(a[0])), weights: \(name(a[1])), output: \(out))")
        case .depthwiseConv2dInputGrad(let c):
            try Self.checkDepthwisePlan(inst)
            w.line("DepthwiseConv.backwardInput(\(Self.depthwise(inst.type.shape, multiplier: shape(a[1])[3], c)),")
            w.line("                            outputGradient: \(name(a[0])), weights: \(name(a[1])), inputGradient: \(out))")
        case .depthwiseConv2dFilterGrad(let c):
            try Self.checkDepthwisePlan(inst)
            w.line("DepthwiseConv.backwardFilter(\(Self.depthwise(shape(a[0]), multiplier: inst.type.shape[3], c)),")
            w.line("                             input: \(name(a[0])), outputGradient: \(name(a[1])), weightGradient: \(out))")
        case .concat:
            emitConcat(inst, out: out, into: &w)
        case .channelSlice(let start, let count):
            let width = shape(a[0]).last ?? 1
            if stride(inst.result) == width {
                w.line("// \(out) is channels \(start)..<\(start + count) of \(name(a[0]))'s rows, read in place: nothing to copy")
                return
            }
            w.block("Parallel.forRanges(\(n / max(count, 1)), grain: \(max(1, 4096 / max(count, 1)))) { range in") { w in
                w.line("for r in range { (\(out) + r * \(count)).update(from: \(name(a[0])) + r * \(width) + \(start), count: \(count)) }")
            }
        case .fusion, .custom:
            throw EmitError("the native target has no code for \(inst.op.mnemonic)"
                            + (inst.layer.map { " (layer \($0))" } ?? ""))
        }
    }

    /// Each operand's channels into its run of every output row, except the operands the plan
    /// placed there (written in place by their batch norms as channel views).
    private func emitConcat(_ inst: Instruction, out: String, into w: inout CodeWriter) {
        let channels = inst.type.shape.last ?? 1
        var copies: [String] = [], placed: [String] = []
        var offset = 0
        for v in inst.operands {
            let k = shape(v).last ?? 1
            if stride(v) == channels {
                placed.append(name(v))
            } else {
                copies.append("(\(out) + r * \(channels) + \(offset)).update(from: \(name(v)) + r * \(k), count: \(k))")
            }
            offset += k
        }
        if !placed.isEmpty { w.line("// \(placed.joined(separator: ", ")) written in place (channel views of \(out))") }
        guard !copies.isEmpty else { return }
        w.block("Parallel.forRanges(\(inst.type.elementCount / max(channels, 1)), grain: \(max(1, 4096 / max(channels, 1)))) { range in") { w in
            w.block("for r in range {") { w in
                for line in copies { w.line(line) }
            }
        }
    }

    /// A plan whose channel view reaches an op without a row stride is refused, not written as
    /// code that would read the wrong floats (`ChannelViews.misuse`, as the CPU executor).
    func checkViews(_ inst: Instruction) throws {
        if let why = ChannelViews.misuse(in: inst, isView: { stride($0) != nil }) { throw EmitError(why) }
    }

    /// The classifier head, as the CPU executor's loss steps.
    private func emitLoss(_ inst: Instruction, out: String, into w: inout CodeWriter) throws {
        let a = inst.operands
        let logits = shape(a[0])
        let classes = logits.last ?? 1
        let rows = type(a[0]).elementCount / max(classes, 1)
        guard case .loss(let op) = inst.op.family else { throw EmitError("\(inst.op.mnemonic) is not a loss op") }
        switch op {
        case .softmax:
            w.line("SoftmaxCrossEntropy.softmax(logits: \(name(a[0])), batch: \(rows), classes: \(classes), probabilities: \(out))")
        case .softmaxGrad:
            let dy = name(a[0]), y = name(a[1])
            w.block("for r in 0..<\(rows) {") { w in
                w.line("let d = \(dy) + r * \(classes), p = \(y) + r * \(classes), o = \(out) + r * \(classes)")
                w.line("var dot: Float = 0")
                w.line("for k in 0..<\(classes) { dot += d[k] * p[k] }")
                w.line("for k in 0..<\(classes) { o[k] = p[k] * (d[k] - dot) }")
            }
        case .softmaxCrossEntropy(let smoothing):
            let smoothed = smoothing == 0 ? "" : ", labelSmoothing: \(Float(smoothing))"
            w.line("\(out)[0] = SoftmaxCrossEntropy.forward(logits: \(name(a[0])), labels: \(name(a[1])), batch: \(rows), "
                   + "classes: \(classes), probabilities: \(name(inst.result))_probabilities\(smoothed))")
        case .softmaxCrossEntropyGrad(let smoothing):
            w.line("SoftmaxCrossEntropy.softmax(logits: \(name(a[0])), batch: \(rows), classes: \(classes), probabilities: \(out))")
            if smoothing == 0 {
                w.line("for r in 0..<\(rows) { \(out)[r * \(classes) + Int(\(name(a[1]))[r])] -= 1 }")
            } else {
                // Label smoothing: targets onehot * (1 - s) + s / K, as the CPU target's loss.
                let s = Float(smoothing)
                w.line("for i in 0..<\(rows * classes) { \(out)[i] -= Float(\(s)) / Float(\(classes)) }")
                w.line("for r in 0..<\(rows) { \(out)[r * \(classes) + Int(\(name(a[1]))[r])] -= 1 - Float(\(s)) }")
            }
            let dloss = name(a[2])
            w.block("do {") { w in
                w.line("let scale = \(dloss)[0] / \(rows)")
                w.line("for i in 0..<\(rows * classes) { \(out)[i] *= scale }")
            }
        case .correctCount:
            w.line("\(out)[0] = Float(SoftmaxCrossEntropy.correctCount(scores: \(name(a[0])), labels: \(name(a[1])), "
                   + "batch: \(rows), classes: \(classes)))")
        }
    }
}
