import ConvnetIR

/// Batch normalisation's single-result ops, as the CPU executor runs them: the batch statistics
/// in Float64 with the CPU executor's own reductions (`BatchStatistics.moments`), then one specialised
/// loop over (rows, channels) with both extents literal. Statistics live on the stack.
extension OpEmitter {
    func emitNorm(_ inst: Instruction, out: String, into w: inout CodeWriter) {
        let a = inst.operands
        let x = name(a[0])
        let c = shape(a[0]).last ?? 1
        let rows = type(a[0]).elementCount / max(c, 1)
        /// Opens the Float64 moments and the Float mean / 1/std of `source` for `body`.
        func withStatistics(of source: String, _ epsilon: Double, _ body: (inout CodeWriter) -> Void) {
            w.block("withUnsafeTemporaryAllocation(of: Double.self, capacity: \(2 * c)) { stats in") { w in
                w.block("withUnsafeTemporaryAllocation(of: Float.self, capacity: \(2 * c)) { meanInv in") { w in
                    w.line("let mean = meanInv.baseAddress!, inv = mean + \(c)")
                    w.line("BatchStatistics.moments(\(source), \(rows), \(c), into: stats.baseAddress!)")
                    w.line("BatchStatistics.meanAndInvStd(stats.baseAddress!, \(c), \(epsilon), mean: mean, invStd: inv)")
                    body(&w)
                }
            }
        }
        guard case .norm(let op) = inst.op.family else { preconditionFailure("\(inst.op.mnemonic) is not a batch-norm op") }
        switch op {
        case .batchMean:
            w.block("withUnsafeTemporaryAllocation(of: Double.self, capacity: \(c)) { mean in") { w in
                w.line("BatchStatistics.mean(\(x), \(rows), \(c), into: mean.baseAddress!)")
                w.line("for ch in 0..<\(c) { \(out)[ch] = Float(mean[ch]) }")
            }
        case .batchVariance:
            w.block("withUnsafeTemporaryAllocation(of: Double.self, capacity: \(2 * c)) { stats in") { w in
                w.line("BatchStatistics.moments(\(x), \(rows), \(c), into: stats.baseAddress!)")
                w.line("for ch in 0..<\(c) { \(out)[ch] = Float(stats[\(c) + ch]) }")
            }
        case .batchNormTraining(let e):
            let gamma = name(a[1]), beta = name(a[2])
            withStatistics(of: x, e) { w in
                w.block("for i in 0..<\(rows) {") { w in
                    w.line("let xr = \(x) + i * \(c), yr = \(out) + i * \(c)")
                    w.line("for ch in 0..<\(c) { yr[ch] = \(gamma)[ch] * (xr[ch] - mean[ch]) * inv[ch] + \(beta)[ch] }")
                }
            }
        case .batchNormInference(let e):
            w.line("BatchNorm.inferenceForward(input: \(x), rows: \(rows), channels: \(c), gamma: \(name(a[1])), beta: \(name(a[2])),")
            w.line("                           movingMean: \(name(a[3])), movingVariance: \(name(a[4])), output: \(out),")
            w.line("                           epsilon: \(Literal.float(e)))")
        case .batchNormGradGamma(let e):
            // (dy, x) -> sum dy * xhat
            let dy = x, xs = name(a[1])
            withStatistics(of: xs, e) { w in
                w.line("var sums = [Double](repeating: 0, count: \(c))")
                w.block("for i in 0..<\(rows) {") { w in
                    w.line("let xr = \(xs) + i * \(c), d = \(dy) + i * \(c)")
                    w.line("for ch in 0..<\(c) { sums[ch] += Double(d[ch] * ((xr[ch] - mean[ch]) * inv[ch])) }")
                }
                w.line("for ch in 0..<\(c) { \(out)[ch] = Float(sums[ch]) }")
            }
        case .batchNormGradInput(let e):
            // (dy, x, gamma) -> dx = inv/N * (N g - sum g - xhat sum g xhat), g = dy * gamma
            let dy = x, xs = name(a[1]), gamma = name(a[2])
            withStatistics(of: xs, e) { w in
                w.line("var sums = [Double](repeating: 0, count: \(2 * c))")
                w.block("for i in 0..<\(rows) {") { w in
                    w.line("let xr = \(xs) + i * \(c), d = \(dy) + i * \(c)")
                    w.block("for ch in 0..<\(c) {") { w in
                        w.line("let g = d[ch] * \(gamma)[ch]")
                        w.line("sums[2 * ch] += Double(g)")
                        w.line("sums[2 * ch + 1] += Double(g * ((xr[ch] - mean[ch]) * inv[ch]))")
                    }
                }
                w.line("let n: Float = \(rows)")
                w.block("for i in 0..<\(rows) {") { w in
                    w.line("let xr = \(xs) + i * \(c), d = \(dy) + i * \(c), dx = \(out) + i * \(c)")
                    w.block("for ch in 0..<\(c) {") { w in
                        w.line("let xhat = (xr[ch] - mean[ch]) * inv[ch]")
                        w.line("let g = d[ch] * \(gamma)[ch]")
                        w.line("dx[ch] = inv[ch] / n * (n * g - Float(sums[2 * ch]) - xhat * Float(sums[2 * ch + 1]))")
                    }
                }
            }
        }
    }
}
