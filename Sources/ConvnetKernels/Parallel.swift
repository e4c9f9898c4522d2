import Dispatch

/// Splits loops over both cores for the work OpenBLAS does not do (im2col, pooling,
/// epilogues, and the CPU executor's own elementwise chains and batch statistics). Results never depend on how the work was split: element-wise loops write
/// disjoint ranges, and reductions use a chunking fixed by the problem size alone.
public enum Parallel {
    /// Worker count used for element-wise loops. The machines have 2 cores.
    public static let workers = max(1, min(8, sysconfWorkers()))

    /// Chunk count of deterministic reductions: a constant, so sums are identical on any machine.
    public static let reductionChunks = 16

    /// Runs `body` on contiguous sub-ranges of 0..<count, concurrently when there is at least
    /// `grain` items of work for each worker.
    public static func forRanges(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = min(workers, max(1, count / max(grain, 1)))
        if chunks == 1 { body(0..<count); return }
        perform(chunks) { chunk in body(split(count, chunks, chunk)) }
    }

    /// `DispatchQueue.concurrentPerform` for a non-Sendable body. Sound here because the call
    /// is synchronous (the body never outlives it) and every caller writes disjoint memory from
    /// each iteration; the kernels' pointers are what makes the body non-Sendable.
    public static func perform(_ iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escaping in
            let box = UncheckedSendable(escaping)
            DispatchQueue.concurrentPerform(iterations: iterations) { box.value($0) }
        }
    }

    /// The `index`-th of `parts` near-equal contiguous ranges of 0..<count.
    public static func split(_ count: Int, _ parts: Int, _ index: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let start = index * base + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }

    /// Sums per column of a reduction over `rows`, deterministically: rows are cut into a fixed
    /// number of chunks, `accumulate(rows, partial)` adds its rows' terms into a zeroed Float64
    /// partial of `columns` values, and the partials are added in chunk order into `result`
    /// (which is overwritten).
    public static func reduceRows(_ rows: Int, columns: Int, into result: UnsafeMutablePointer<Double>,
                           _ accumulate: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) {
        result.update(repeating: 0, count: columns)
        if rows <= 0 || columns <= 0 { return }
        let chunks = min(reductionChunks, rows)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks * columns) { partials in
            let base = partials.baseAddress!
            base.initialize(repeating: 0, count: chunks * columns)
            if rows * columns < 4096 {
                for chunk in 0..<chunks { accumulate(split(rows, chunks, chunk), base + chunk * columns) }
            } else {
                perform(chunks) { chunk in accumulate(split(rows, chunks, chunk), base + chunk * columns) }
            }
            for chunk in 0..<chunks {
                let p = base + chunk * columns
                for j in 0..<columns { result[j] += p[j] }
            }
        }
    }

    private static func sysconfWorkers() -> Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 2
        #endif
    }
}

/// Carries a value the compiler cannot prove Sendable into `concurrentPerform`; see `perform`.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

#if canImport(Glibc)
import Glibc
#endif
