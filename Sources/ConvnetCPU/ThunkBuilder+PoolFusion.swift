import ConvnetIR
import ConvnetKernels

/// A convolution fusion immediately followed by the max pool of its result runs as one step:
/// `ParallelConv.forward(thenMaxPool:)` pools each band of rows right after writing it, while
/// it is in cache, instead of a separate pass that reads the whole activation back from
/// memory. The convolution's output is still written (the pool's backward pass and the
/// layer's gradients read it). Only adjacent instructions are joined, so no value's lifetime
/// changes; the pool's output must not share bytes with what the convolution reads or writes.
extension ThunkBuilder {
    /// Before lowering `insts[i]`: the max pool at `i + 1` that the convolution inside the
    /// fusion at `i` may take over (`takePool`, when that convolution writes the pool's input).
    func poolAfter(_ insts: [Instruction], at i: Int, _ c: Context) -> PendingPool? {
        guard case .fusion = insts[i].op, i + 1 < insts.count, case .maxPool(let p) = insts[i + 1].op,
              insts[i + 1].operands == [insts[i].result] else { return nil }
        let g = Self.poolGeometry(c.shape(insts[i].result), p)
        guard MaxPoolKernels.applies(g) else { return nil }
        let reads = insts[i].operands.map { (c.f($0), c.count($0)) } + [(c.f(insts[i].result), c.count(insts[i].result))]
        let output = c.f(insts[i + 1].result)
        guard !Self.overlaps(output, g.outputCount, reads) else { return nil }
        return PendingPool(input: c.f(insts[i].result), geometry: g, output: output)
    }

    /// The pool a convolution may take over.
    struct PendingPool {
        /// The convolution's output, the pool's input.
        let input: UnsafeMutablePointer<Float>
        let geometry: PoolGeometry
        let output: UnsafeMutablePointer<Float>
    }

    /// Called when a forward convolution writing `output` is lowered: the pool to run with it,
    /// if the pending one reads that output (its winner codes recorded as the pool's own step
    /// would record them).
    func takePool(writing output: UnsafeMutablePointer<Float>) -> ParallelConv.FollowingMaxPool? {
        guard let p = pendingPool, p.input == output else { return nil }
        pendingPool = nil
        let codes = recordsPoolWinners ? recordWinners(of: p.input, p.geometry) : nil
        return ParallelConv.FollowingMaxPool(p.geometry, output: p.output, winners: codes)
    }
}
