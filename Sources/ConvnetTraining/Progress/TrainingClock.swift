#if canImport(Glibc)
import Glibc
#endif

/// A source of monotonic time in seconds. Progress bars, ETAs and throughput read time only
/// through this, so tests can drive them with `ManualClock` and compare exact strings.
public protocol TrainingClock: AnyObject {
    /// Seconds since an arbitrary fixed origin; never goes backwards.
    func now() -> Double
}

/// The machine's monotonic clock (`CLOCK_MONOTONIC`): immune to wall-clock changes.
public final class SystemClock: TrainingClock {
    public init() {}

    public func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// A clock that moves only when told to; for tests and replays.
public final class ManualClock: TrainingClock {
    /// The current reading in seconds.
    public var time: Double

    public init(time: Double = 0) { self.time = time }

    public func now() -> Double { time }

    /// Moves the clock forward.
    public func advance(by seconds: Double) { time += seconds }
}
