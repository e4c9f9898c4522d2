import Dispatch

/// Splits the executor's own loops (elementwise chains, dropout, batch statistics) over the
/// cores, the way ConvnetKernels splits the loops OpenBLAS does not do. Results never depend
/// on the split: elementwise loops write disjoint ranges, and reductions cut the rows into a
/// fixed number of chunks and add the partials in chunk order.
enum CPUParallel {
    /// Workers for elementwise loops: the machines have 2 cores.
    static let workers = max(1, min(8, processorCount()))

    /// Chunk count of deterministic reductions: fixed, so sums do not depend on the machine.
    static let reductionChunks = 16

    /// Runs `body` on contiguous sub-ranges of 0..<count, concurrently when each worker gets
    /// at least `grain` items.
    static func forRanges(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
        if count <= 0 { return }
        let chunks = min(workers, max(1, count / max(grain, 1)))
        if chunks == 1 { body(0..<count); return }
        perform(chunks) { body(split(count, chunks, $0)) }
    }

    /// `concurrentPerform` for a non-Sendable body. Sound because the call is synchronous (the
    /// body never outlives it) and every caller writes disjoint memory per iteration.
    static func perform(_ iterations: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { escaping in
            let box = UncheckedBox(escaping)
            DispatchQueue.concurrentPerform(iterations: iterations) { box.value($0) }
        }
    }

    /// The `index`-th of `parts` near-equal contiguous ranges of 0..<count.
    static func split(_ count: Int, _ parts: Int, _ index: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let start = index * base + min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }

    /// Per-column sums over `rows`, deterministic: `accumulate(rows, partial)` adds its rows'
    /// terms into a zeroed Float64 partial of `columns` values (stack memory, no heap), and the
    /// partials are added in chunk order into `result` (overwritten).
    static func reduceRows(_ rows: Int, columns: Int, into result: UnsafeMutablePointer<Double>,
                           _ accumulate: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) {
        result.update(repeating: 0, count: columns)
        if rows <= 0 || columns <= 0 { return }
        let chunks = min(reductionChunks, rows)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks * columns) { partials in
            let base = partials.baseAddress!
            base.initialize(repeating: 0, count: chunks * columns)
            if rows * columns < 8192 {
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

    private static func processorCount() -> Int {
        #if canImport(Glibc)
        return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
        return 2
        #endif
    }
}

/// Carries a value the compiler cannot prove Sendable into `concurrentPerform`; see `perform`.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

#if canImport(Glibc)
import Glibc
#endif
