/// Fused steps and buffer plans.
///
/// A liveness-based plan may give a value bytes of another value whose last use comes before
/// the first one's definition. A fused step that runs several instructions at once (a
/// convolution from its im2col and matmul, an epilogue) can read such an input while it writes
/// the output: it must then write a private buffer and copy it over after the last read.
extension ThunkBuilder {
    /// Whether `count` floats at `output` share a byte with any of `reads` (pointer, floats).
    static func overlaps(_ output: UnsafeMutablePointer<Float>, _ count: Int,
                         _ reads: [(UnsafeMutablePointer<Float>, Int)]) -> Bool {
        let lo = output, hi = output + count
        return reads.contains { p, n in p < hi && lo < p + n }
    }

    /// Where a fused step writes its `count`-float result: `output` itself, or a private buffer
    /// (allocated now) when `output` overlaps what the step reads. `finish` copies the private
    /// buffer into `output`; it does nothing when no copy is needed.
    func target(_ output: UnsafeMutablePointer<Float>, _ count: Int,
                reads: [(UnsafeMutablePointer<Float>, Int)]) -> (write: UnsafeMutablePointer<Float>, finish: () -> Void) {
        guard Self.overlaps(output, count, reads) else { return (output, {}) }
        let temp = arena.floats(count)
        return (temp, { output.update(from: temp, count: count) })
    }
}
