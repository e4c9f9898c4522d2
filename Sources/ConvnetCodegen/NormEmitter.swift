import ConvnetIR

/// Batch normalisation's single-result ops, as the CPU executor runs them (`ThunkBuilder+Norm`):
/// the IR splits a batch norm into ops that each need the batch moments of the same x
/// (`batch_mean`, `batch_variance`, `batch_norm_training`, `batch_norm_grad_gamma`,
/// `batch_norm_grad_input`). The first of them in the program computes the moments into the side
/// block and the others read them (`SideStorage.moments`); likewise the backward sums (sum dy,
/// sum dy * xhat), which the input gradient, the gamma gradient and beta's `bias_grad` share.
/// One moments pass and one sums pass per layer instead of five and three. The arithmetic is
/// `BatchNorm`'s parts (`BatchNormSteps`), the CPU executor's, so the two targets agree bit for
/// bit. A normalisation may write its result as a channel view (a concat operand in place) and
/// the backward ops may read dy as one (a concat gradient's slice): the plan's row strides
/// (`ChannelViews`) are written into the calls.
extension OpEmitter {
    func emitNorm(_ inst: Instruction, out: String, into w: inout CodeWriter) {
        let a = inst.operands
        let x = name(a[0])
        let c = shape(a[0]).last ?? 1
        let rows = type(a[0]).elementCount / max(c, 1)
        guard case .norm(let op) = inst.op.family else { preconditionFailure("\(inst.op.mnemonic) is not a batch-norm op") }
        switch op {
        case .batchMean, .batchVariance:
            // One half of the moments: the mean, or the biased variance after it.
            let (record, compute) = side.moments(of: x, channels: c)
            let half = op == .batchMean ? "" : "\(c) + "
            if compute { w.line("BatchStatistics.moments(\(x), \(rows), \(c), into: arena.doubles(\(record.moments)))  // this layer's batch moments") }
            w.line("for ch in 0..<\(c) { \(out)[ch] = Float(arena.doubles(\(record.moments))[\(half)ch]) }")
        case .batchNormTraining(let e):
            let record = statistics(of: a[0], rows: rows, epsilon: e, into: &w)
            w.line("BatchNorm.normalize(\(x), rows: \(rows), channels: \(c), gamma: \(name(a[1])), beta: \(name(a[2])),")
            w.line("                    mean: arena.floats(\(record.mean)), invStd: arena.floats(\(record.invStd)), output: \(out)\(strideArgument("outputStride", inst.result)))")
        case .batchNormInference(let e):
            w.line("BatchNorm.inferenceForward(input: \(x), rows: \(rows), channels: \(c), gamma: \(name(a[1])), beta: \(name(a[2])),")
            w.line("                           movingMean: \(name(a[3])), movingVariance: \(name(a[4])), output: \(out),")
            w.line("                           epsilon: \(Literal.float(e))\(strideArgument("outputStride", inst.result)))")
        case .batchNormGradGamma(let e):
            // (dy, x) -> sum dy * xhat, the second half of the shared backward sums.
            let xs = a[1], c = shape(xs).last ?? 1, rows = type(xs).elementCount / max(c, 1)
            let sums = gradientSums(dy: a[0], x: xs, rows: rows, epsilon: e, into: &w)
            w.line("for ch in 0..<\(c) { \(out)[ch] = Float(arena.doubles(\(sums))[\(c) + ch]) }")
        case .batchNormGradInput(let e):
            // (dy, x, gamma) -> dx = inv/N * (N g - sum g - xhat sum g xhat), g = dy * gamma
            batchNormInputGradient(dy: a[0], x: a[1], gamma: a[2], epsilon: e, output: out, into: &w)
        }
    }

    /// dx of a batch norm from the shared statistics and backward sums; with `activation`, the
    /// activation gradient of the layer before (`y` its output) in the same pass, and with
    /// `biasGradient` that layer's bias gradient (the fused `batch_norm_grad_input_<act>_grad`).
    func batchNormInputGradient(dy: ValueID, x: ValueID, gamma: ValueID, epsilon e: Double, output out: String,
                                activation: (f: ActivationFunction, y: String)? = nil, biasGradient db: String? = nil,
                                into w: inout CodeWriter) {
        let c = shape(x).last ?? 1, rows = type(x).elementCount / max(c, 1)
        let sums = gradientSums(dy: dy, x: x, rows: rows, epsilon: e, into: &w)
        let record = side.moments(of: name(x), channels: c).record
        let fused = (activation.map { ", activation: (.\($0.f.rawValue), UnsafePointer(\($0.y)))" } ?? "") + (db.map { ", biasGradient: \($0)" } ?? "")
        w.line("BatchNorm.inputGradient(\(name(dy)), \(name(x)), gamma: \(name(gamma)), rows: \(rows), channels: \(c),")
        w.line("                        mean: arena.floats(\(record.mean)), invStd: arena.floats(\(record.invStd)), sums: arena.doubles(\(sums)),")
        w.line("                        output: \(out)\(fused)\(strideArgument("dyStride", dy)))")
    }

    /// Writes the Float mean and 1/std of x into its record, computing the moments first when
    /// this op is their first reader; the record.
    private func statistics(of x: ValueID, rows: Int, epsilon e: Double, into w: inout CodeWriter) -> BatchNormRecord {
        let c = shape(x).last ?? 1
        let (record, compute) = side.moments(of: name(x), channels: c)
        w.line("BatchNorm.statistics(\(name(x)), rows: \(rows), channels: \(c), epsilon: \(ModelLiteral.double(e)),")
        w.line("                     \(record.arguments)\(compute ? "" : ", computeMoments: false"))")
        return record
    }

    /// The offset of the backward sums over (dy, x), emitting their computation (and the
    /// statistics they need) when this op is the first to ask.
    private func gradientSums(dy: ValueID, x: ValueID, rows: Int, epsilon e: Double, into w: inout CodeWriter) -> Int {
        let c = shape(x).last ?? 1
        let record = statistics(of: x, rows: rows, epsilon: e, into: &w)
        let (sums, compute) = side.gradientSums(dy: name(dy), x: name(x), channels: c)
        if compute {
            w.line("BatchNorm.gradientSums(\(name(dy)), \(name(x)), rows: \(rows), channels: \(c), mean: arena.floats(\(record.mean)),")
            w.line("                       invStd: arena.floats(\(record.invStd)), into: arena.doubles(\(sums))\(strideArgument("dyStride", dy)))")
        }
        return sums
    }

    /// `, label: N` when `v` is a channel view with rows N floats apart, else "".
    func strideArgument(_ label: String, _ v: ValueID) -> String {
        stride(v).map { ", \(label): \($0)" } ?? ""
    }
}
