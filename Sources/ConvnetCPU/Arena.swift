/// Memory the executable owns for its whole life: the arena of the buffer plan plus the
/// private allocations made at compile time (fusion-body temporaries, per-op statistics,
/// conv scratch). Nothing is allocated after compilation, so a run never touches the heap.
final class Arena {
    private(set) var allocations: [UnsafeMutableRawPointer] = []
    private(set) var totalBytes = 0

    /// Zeroed, 64-byte aligned bytes that live as long as the arena.
    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = max(bytes, 64)
        let p = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        allocations.append(p)
        totalBytes += size
        return p
    }

    /// `count` zeroed floats.
    func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        allocate(bytes: count * 4).bindMemory(to: Float.self, capacity: max(count, 16))
    }

    /// `count` zeroed doubles.
    func doubles(_ count: Int) -> UnsafeMutablePointer<Double> {
        allocate(bytes: count * 8).bindMemory(to: Double.self, capacity: max(count, 8))
    }

    deinit { allocations.forEach { $0.deallocate() } }
}
