/// Combining per-core gradient buffers, the step after every data-parallel backward pass
/// (references.md §4: the global batch is split over the cores, gradients are all-reduced).
///
/// The sum is formed in one fixed order, core 0 first: `((g0 + g1) + g2) + ... + g(n-1)` for every
/// element, so a training run gives the same bits whatever the thread timing. A real ring
/// all-reduce adds in a rotating order per chunk; we keep the simpler fixed order on purpose and
/// charge the ring's cost separately (`TPUDevice.ringAllReduceCycles`).
public enum AllReduce {
    /// The element-wise sum of equally long per-core buffers, core 0 first.
    public static func sum(_ buffers: [[Float]]) -> [Float] {
        precondition(!buffers.isEmpty, "all-reduce needs at least one buffer")
        let count = buffers[0].count
        precondition(buffers.allSatisfy { $0.count == count }, "all-reduce buffers differ in length")
        var total = buffers[0]
        total.withUnsafeMutableBufferPointer { out in
            for core in 1..<buffers.count {
                buffers[core].withUnsafeBufferPointer { add($0.baseAddress!, into: out.baseAddress!, count: count) }
            }
        }
        return total
    }

    /// All-reduce proper: every buffer ends up holding the sum (`sum(_:)`'s bits).
    public static func allReduceSum(_ buffers: inout [[Float]]) {
        let total = sum(buffers)
        for core in buffers.indices { buffers[core] = total }
    }

    /// Pointer form for the training loop: `destination = sources[0] + sources[1] + ...` in that
    /// order, element-wise. `destination` may be `sources[0]`.
    public static func sum(_ sources: [UnsafePointer<Float>], into destination: UnsafeMutablePointer<Float>,
                           count: Int) {
        precondition(!sources.isEmpty, "all-reduce needs at least one buffer")
        if UnsafePointer(destination) != sources[0] {
            destination.update(from: sources[0], count: count)
        }
        for source in sources.dropFirst() { add(source, into: destination, count: count) }
    }

    /// `destination[i] = destination[i] + source[i]`, 16 lanes at a time (the order per element
    /// is unchanged by vectorising across elements).
    static func add(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
        let vectors = count / 16
        let src = UnsafeRawPointer(source), dst = UnsafeMutableRawPointer(destination)
        for v in 0..<vectors {
            let sum = dst.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Float>.self)
                + src.loadUnaligned(fromByteOffset: v * 64, as: SIMD16<Float>.self)
            dst.storeBytes(of: sum, toByteOffset: v * 64, as: SIMD16<Float>.self)
        }
        for i in (vectors * 16)..<count { destination[i] = destination[i] + source[i] }
    }
}
