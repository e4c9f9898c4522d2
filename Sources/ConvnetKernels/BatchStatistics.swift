/// Batch statistics in Float64, shared by every backend that normalises a batch (the CPU
/// executor's batch-norm steps and the native target's emitted code), so they reduce in the
/// same order and round the same way.
public enum BatchStatistics {
    /// stats (2C) = mean (C), then biased variance (C), in Float64, in one pass over x: the sums
    /// of d = x - k and d^2 with k each channel's value in the first row, so that
    /// var = E[d^2] - E[d]^2 does not cancel the way E[x^2] - E[x]^2 does when the mean is
    /// large next to the spread (k is a sample, so E[d] is of the order of the spread). One
    /// pass instead of a mean pass and a centred pass: batch norms of squeezenet's full-size
    /// layers are memory-bound.
    public static func moments(_ x: UnsafePointer<Float>, _ rows: Int, _ channels: Int,
                        into stats: UnsafeMutablePointer<Double>) {
        guard rows > 0 else {
            stats.update(repeating: 0, count: 2 * channels)
            return
        }
        Parallel.reduceRows(rows, columns: 2 * channels, into: stats) { range, partial in
            let squares = partial + channels
            for i in range {
                let xr = x + i * channels
                for ch in 0..<channels {
                    let d = Double(xr[ch]) - Double(x[ch])
                    partial[ch] += d
                    squares[ch] += d * d
                }
            }
        }
        let n = Double(rows)
        for ch in 0..<channels {
            let meanD = stats[ch] / n
            stats[ch] = Double(x[ch]) + meanD
            stats[channels + ch] = max(stats[channels + ch] / n - meanD * meanD, 0)
        }
    }

    /// Float mean and 1/sqrt(variance + eps), rounded as the reference rounds them.
    public static func meanAndInvStd(_ stats: UnsafePointer<Double>, _ channels: Int, _ epsilon: Double,
                              mean: UnsafeMutablePointer<Float>, invStd: UnsafeMutablePointer<Float>) {
        for ch in 0..<channels {
            mean[ch] = Float(stats[ch])
            invStd[ch] = 1 / (Float(stats[channels + ch]) + Float(epsilon)).squareRoot()
        }
    }
}
