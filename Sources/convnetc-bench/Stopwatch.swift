import Foundation

/// Wall-clock timing for benchmarks: the median of repeated runs, robust to a noisy shared machine.
enum Stopwatch {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Seconds for one call of `body`, the median of `runs` (after one warm-up call).
    static func median(runs: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<runs {
            let t0 = now()
            try body()
            times.append(now() - t0)
        }
        times.sort()
        return times[times.count / 2]
    }
}
