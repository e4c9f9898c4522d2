import ConvnetIR

/// Batch normalisation's single-result ops, as the CPU executor runs them: the ops that reduce
/// over the batch call the same kernels (`BatchStatistics`, and `BatchNorm`'s IR-op kernels,
/// which sum in the same chunked order), so the two targets agree bit for bit.
extension OpEmitter {
    func emitNorm(_ inst: Instruction, out: String, into w: inout CodeWriter) {
        let a = inst.operands
        let x = name(a[0])
        let c = shape(a[0]).last ?? 1
        let rows = type(a[0]).elementCount / max(c, 1)
        guard case .norm(let op) = inst.op.family else { preconditionFailure("\(inst.op.mnemonic) is not a batch-norm op") }
        switch op {
        case .batchMean:
            // The mean half of the moments, as the CPU executor reads it from its shared record.
            w.block("withUnsafeTemporaryAllocation(of: Double.self, capacity: \(2 * c)) { stats in") { w in
                w.line("BatchStatistics.moments(\(x), \(rows), \(c), into: stats.baseAddress!)")
                w.line("for ch in 0..<\(c) { \(out)[ch] = Float(stats[ch]) }")
            }
        case .batchVariance:
            w.block("withUnsafeTemporaryAllocation(of: Double.self, capacity: \(2 * c)) { stats in") { w in
                w.line("BatchStatistics.moments(\(x), \(rows), \(c), into: stats.baseAddress!)")
                w.line("for ch in 0..<\(c) { \(out)[ch] = Float(stats[\(c) + ch]) }")
            }
        case .batchNormTraining(let e):
            w.line("BatchNorm.trainingNormalize(input: \(x), rows: \(rows), channels: \(c), gamma: \(name(a[1])), beta: \(name(a[2])),")
            w.line("                            epsilon: \(ModelLiteral.double(e)), output: \(out))")
        case .batchNormInference(let e):
            w.line("BatchNorm.inferenceForward(input: \(x), rows: \(rows), channels: \(c), gamma: \(name(a[1])), beta: \(name(a[2])),")
            w.line("                           movingMean: \(name(a[3])), movingVariance: \(name(a[4])), output: \(out),")
            w.line("                           epsilon: \(Literal.float(e)))")
        case .batchNormGradGamma(let e):
            // (dy, x) -> sum dy * xhat
            w.line("BatchNorm.gammaGradient(outputGradient: \(x), input: \(name(a[1])), rows: \(rows), channels: \(c),")
            w.line("                        epsilon: \(ModelLiteral.double(e)), output: \(out))")
        case .batchNormGradInput(let e):
            // (dy, x, gamma) -> dx = inv/N * (N g - sum g - xhat sum g xhat), g = dy * gamma
            w.line("BatchNorm.inputGradient(outputGradient: \(x), input: \(name(a[1])), gamma: \(name(a[2])),")
            w.line("                        rows: \(rows), channels: \(c), epsilon: \(ModelLiteral.double(e)), output: \(out))")
        }
    }
}
