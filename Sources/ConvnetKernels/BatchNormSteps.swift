/// The IR's batch-normalisation ops that reduce over the batch (`batch_norm_training`,
/// `batch_norm_grad_gamma`, `batch_norm_grad_input`), written once for both the CPU executor
/// and the native target's generated code, so the two reduce in the same order and agree bit
/// for bit (Adam turns a last-bit difference in a gradient into a visible one in the weights).
///
/// Each op needs the batch moments of x, and the backward ops the sums (sum dy, sum dy * xhat).
/// The parts take them as arguments: both targets compute each once per layer and share it
/// between the ops (the CPU executor in `ThunkBuilder+Norm`, the emitted code in the side
/// block, `SideStorage`); they were most of squeezenet's step when every op recomputed them.
extension BatchNorm {
    /// Float mean (C) and 1/sqrt(variance + epsilon) (C) of x (rows, C): `BatchStatistics`'
    /// Float64 moments (fixed chunking), rounded.
    public static func statistics(_ x: UnsafePointer<Float>, rows: Int, channels: Int, epsilon: Double,
                                  moments: UnsafeMutablePointer<Double>, mean: UnsafeMutablePointer<Float>,
                                  invStd: UnsafeMutablePointer<Float>, computeMoments: Bool = true) {
        if computeMoments { BatchStatistics.moments(x, rows, channels, into: moments) }
        BatchStatistics.meanAndInvStd(moments, channels, epsilon, mean: mean, invStd: invStd)
    }

    /// y (rows, C) = gamma * (x - mean) * invStd + beta; y's rows `outputStride` floats apart
    /// (a channel slice of a concat's buffer, `ChannelViews`), by default C.
    public static func normalize(_ x: UnsafePointer<Float>, rows: Int, channels: Int, gamma: UnsafePointer<Float>,
                                 beta: UnsafePointer<Float>, mean: UnsafePointer<Float>, invStd inv: UnsafePointer<Float>,
                                 output: UnsafeMutablePointer<Float>, outputStride: Int? = nil) {
        let ys = outputStride ?? channels
        Parallel.forRanges(rows, grain: max(1, 16384 / max(channels, 1))) { range in
            for i in range {
                let xr = x + i * channels, yr = output + i * ys
                for ch in 0..<channels { yr[ch] = gamma[ch] * (xr[ch] - mean[ch]) * inv[ch] + beta[ch] }
            }
        }
    }

    /// (sum dy (C), then sum dy * xhat (C)), xhat = (x - mean) * invStd: Float sums over blocks of
    /// `Epilogue.biasBlockRows` rows (vectorised, as the bias gradient sums), flushed into Float64
    /// in `Parallel.reduceRows`' fixed chunks. `sum dy` is also the batch norm's beta gradient.
    /// dy's rows are `dyStride` floats apart (a slice of a concat's gradient read in place), by
    /// default C.
    public static func gradientSums(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, channels: Int,
                                    mean: UnsafePointer<Float>, invStd inv: UnsafePointer<Float>,
                                    into sums: UnsafeMutablePointer<Double>, dyStride: Int? = nil) {
        let blockRows = Epilogue.biasBlockRows, ds = dyStride ?? channels
        Parallel.reduceRows(rows, columns: 2 * channels, into: sums) { range, partial in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * max(channels, 1)) { blockBuffer in
                let sumD = blockBuffer.baseAddress!, sumDX = sumD + channels
                for start in stride(from: range.lowerBound, to: range.upperBound, by: blockRows) {
                    sumD.update(repeating: 0, count: 2 * channels)
                    for i in start..<min(start + blockRows, range.upperBound) {
                        let xr = x + i * channels, d = dy + i * ds
                        for ch in 0..<channels {
                            sumD[ch] += d[ch]
                            sumDX[ch] += d[ch] * ((xr[ch] - mean[ch]) * inv[ch])
                        }
                    }
                    for k in 0..<(2 * channels) { partial[k] += Double(sumD[k]) }
                }
            }
        }
    }

    /// dx (rows, C) = invStd/N * (N g - sum g - xhat sum g xhat), g = dy * gamma, the sums being
    /// gamma times `gradientSums`; then, when given, the activation gradient of the layer before
    /// (`y` its output) in place, and that layer's bias gradient `db` (C): one pass writing dx
    /// (the fused `batch_norm_grad_input_<act>_grad[_bias_grad]`), where the unfused form writes
    /// dx, then reads it back to mask and sum it. The bias sums use the blocks and chunks of
    /// `Epilogue.activationBiasGradient`. dy's rows are `dyStride` floats apart, by default C.
    public static func inputGradient(_ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
                                     rows: Int, channels: Int, mean: UnsafePointer<Float>, invStd inv: UnsafePointer<Float>,
                                     sums: UnsafePointer<Double>, output out: UnsafeMutablePointer<Float>,
                                     activation: (f: EpilogueActivation, y: UnsafePointer<Float>)? = nil,
                                     biasGradient db: UnsafeMutablePointer<Float>? = nil, dyStride: Int? = nil) {
        let ds = dyStride ?? channels
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * max(channels, 1)) { gBuffer in
            let sumG = gBuffer.baseAddress!, sumGX = sumG + channels
            for ch in 0..<channels {
                sumG[ch] = Float(Double(gamma[ch]) * sums[ch])
                sumGX[ch] = Float(Double(gamma[ch]) * sums[channels + ch])
            }
            let nn = Float(rows)
            /// Rows `range` of dx, then the activation gradient in place.
            func rowsOfDX(_ range: Range<Int>) {
                for i in range {
                    let xr = x + i * channels, d = dy + i * ds, dx = out + i * channels
                    for ch in 0..<channels {
                        let xhat = (xr[ch] - mean[ch]) * inv[ch]
                        let g = d[ch] * gamma[ch]
                        dx[ch] = inv[ch] / nn * (nn * g - sumG[ch] - xhat * sumGX[ch])
                    }
                    guard let (f, y) = activation else { continue }
                    let v = y + i * channels
                    switch f {
                    case .linear: break
                    case .relu: for k in 0..<channels { dx[k] = v[k] <= 0 ? 0 : dx[k] }
                    case .sigmoid: for k in 0..<channels { dx[k] = dx[k] * (v[k] * (1 - v[k])) }
                    case .tanh: for k in 0..<channels { dx[k] = dx[k] * (1 - v[k] * v[k]) }
                    }
                }
            }
            guard let db else {
                Parallel.forRanges(rows, grain: max(1, 16384 / max(channels, 1))) { rowsOfDX($0) }
                return
            }
            let blockRows = Epilogue.biasBlockRows
            withUnsafeTemporaryAllocation(of: Double.self, capacity: max(channels, 1)) { dbBuffer in
                let dbSums = dbBuffer.baseAddress!
                Parallel.reduceRows(rows, columns: channels, into: dbSums) { range, partial in
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: max(channels, 1)) { blockBuffer in
                        let block = blockBuffer.baseAddress!
                        for start in stride(from: range.lowerBound, to: range.upperBound, by: blockRows) {
                            let end = min(start + blockRows, range.upperBound)
                            rowsOfDX(start..<end)
                            block.update(repeating: 0, count: channels)
                            for r in start..<end {
                                let dx = out + r * channels
                                for k in 0..<channels { block[k] += dx[k] }
                            }
                            for k in 0..<channels { partial[k] += Double(block[k]) }
                        }
                    }
                }
                for k in 0..<channels { db[k] = Float(dbSums[k]) }
            }
        }
    }
}
