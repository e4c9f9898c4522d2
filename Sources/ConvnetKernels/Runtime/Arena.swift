#if canImport(Glibc)
import Glibc
#endif

/// Memory the executable owns for its whole life: the arena of the buffer plan plus the
/// private allocations made at compile time (fusion-body temporaries, per-op statistics,
/// conv scratch). Nothing is allocated after compilation, so a run never touches the heap.
///
/// Allocations come zeroed from `calloc`, which maps large blocks lazily: a slice no step ever
/// writes (a value absorbed into a fused kernel) costs address space but no memory.
public final class Arena {
    public init() {}

    private var allocations: [UnsafeMutableRawPointer] = []
    public private(set) var totalBytes = 0

    /// The alignment of every allocation: one cache line, and what AVX-512 loads like.
    static let alignment = 64

    /// Zeroed, 64-byte aligned bytes that live as long as the arena.
    public func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        let size = max(bytes, Self.alignment)
        guard let raw = calloc(size + Self.alignment, 1) else {
            fatalError("cannot allocate \(size) bytes for the CPU executable")
        }
        allocations.append(raw)
        totalBytes += size
        let address = Int(bitPattern: raw)
        let aligned = (address + Self.alignment - 1) / Self.alignment * Self.alignment
        return raw + (aligned - address)
    }

    /// `count` zeroed floats.
    public func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        allocate(bytes: count * 4).bindMemory(to: Float.self, capacity: max(count, 16))
    }

    /// `count` zeroed doubles.
    public func doubles(_ count: Int) -> UnsafeMutablePointer<Double> {
        allocate(bytes: count * 8).bindMemory(to: Double.self, capacity: max(count, 8))
    }

    deinit { allocations.forEach { free($0) } }
}
