import Dispatch
import Synchronization

/// Runs `count` independent jobs on `workers` threads (both cores by default), each thread
/// pulling the next index from a shared counter so slow files do not hold up a fixed share.
/// `progress(done, total)` is called after every job, serialised and with `done` increasing,
/// so the CLI can redraw a bar from it directly.
enum ParallelWork {
    /// `makeWorker` runs once per thread and returns that thread's job function; this is where
    /// per-thread state such as a TurboJPEG handle is created.
    static func run(count: Int, workers: Int, progress: (@Sendable (Int, Int) -> Void)?,
                    makeWorker: @Sendable () -> (Int) -> Void) {
        guard count > 0 else { return }
        let next = Atomic<Int>(0)
        let done = Mutex<Int>(0)
        let threads = max(1, min(workers, count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let job = makeWorker()
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                job(i)
                done.withLock { d in
                    d += 1
                    progress?(d, count)
                }
            }
        }
    }
}
