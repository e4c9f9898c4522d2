/// Batch statistics in Float64, shared by every backend that normalises a batch (the CPU
/// executor's batch-norm steps and the native target's emitted code), so they reduce in the
/// same order and round the same way.
public enum BatchStatistics {
    /// mean (C) over rows of x (rows, C), in Float64.
    public static func mean(_ x: UnsafePointer<Float>, _ rows: Int, _ channels: Int, into mean: UnsafeMutablePointer<Double>) {
        Parallel.reduceRows(rows, columns: channels, into: mean) { range, partial in
            for i in range {
                let xr = x + i * channels
                for ch in 0..<channels { partial[ch] += Double(xr[ch]) }
            }
        }
        for ch in 0..<channels { mean[ch] /= Double(max(rows, 1)) }
    }

    /// stats (2C) = mean (C), then biased variance (C), two passes in Float64.
    public static func moments(_ x: UnsafePointer<Float>, _ rows: Int, _ channels: Int,
                        into stats: UnsafeMutablePointer<Double>) {
        mean(x, rows, channels, into: stats)
        let variance = stats + channels
        let m = UnsafePointer(stats)
        Parallel.reduceRows(rows, columns: channels, into: variance) { range, partial in
            for i in range {
                let xr = x + i * channels
                for ch in 0..<channels { let d = Double(xr[ch]) - m[ch]; partial[ch] += d * d }
            }
        }
        for ch in 0..<channels { variance[ch] /= Double(max(rows, 1)) }
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
