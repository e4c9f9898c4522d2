import Foundation

/// This thread's CPU time in seconds. Time bounds in tests ("a 10,000-deep nesting is rejected
/// fast", "no fuzz input hangs") measure it rather than the wall clock: the wall clock grows
/// while a loaded machine keeps the test waiting for a core, so a wall-clock bound fails
/// beside a training run or a build without the code being any slower.
public func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
