import ConvnetSupport
import Foundation
import Synchronization

/// The storage of a generated program: one zeroed, 64-byte aligned block whose layout the
/// emitter fixed, and the shared im2col scratch of its convolutions. Lives as long as the
/// program, so a step allocates nothing.
///
/// Its bytes are reserved (`MemoryBudget`) before they are allocated and zeroed, which touches
/// every page: an arena the machine cannot hold is not allocated at all (the program keeps a
/// 64-byte stand-in it never runs on), and `NativeArena.checking`, around the program's
/// construction in `NativeModelCompiler`, throws the refusal with the figure.
public final class NativeArena {
    private let base: UnsafeMutableRawPointer
    /// The convolutions' chunked im2col scratch (empty when the program has none).
    public let scratch: UnsafeMutableBufferPointer<Float>
    /// What one kernel leaves for a later one outside the buffer plan (the emitter's `SideStorage`).
    private let side: UnsafeMutableRawPointer

    private let reservation: MemoryBudget.Reservation?

    /// The first refusal of an arena built inside `checking` (on the thread building programs).
    private static let refusal = Mutex<MemoryShortfall?>(nil)

    public init(bytes: Int, scratchFloats: Int, sideBytes: Int = 0) {
        var bytes = max(bytes, 64), sideBytes = max(sideBytes, 64), scratchFloats = scratchFloats
        do {
            reservation = try MemoryBudget.reserve(Double(bytes) + Double(sideBytes) + 4 * Double(max(scratchFloats, 1)),
                                                   for: "the program's arena", advice: { _, _ in "" })
        } catch {
            NativeArena.refusal.withLock { $0 = $0 ?? error }
            reservation = nil
            (bytes, sideBytes, scratchFloats) = (64, 64, 0)
        }
        base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        side = UnsafeMutableRawPointer.allocate(byteCount: sideBytes, alignment: 64)
        side.initializeMemory(as: UInt8.self, repeating: 0, count: sideBytes)
        let s = UnsafeMutablePointer<Float>.allocate(capacity: max(scratchFloats, 1))
        s.initialize(repeating: 0, count: max(scratchFloats, 1))
        scratch = UnsafeMutableBufferPointer(start: s, count: scratchFloats)
    }

    /// Builds a program with `make` and throws the shortfall of any arena it could not reserve
    /// (the program, built on a stand-in, is dropped unrun).
    static func checking<T>(_ make: () -> T) throws(MemoryShortfall) -> T {
        refusal.withLock { $0 = nil }
        let program = make()
        if let shortfall = refusal.withLock({ value in defer { value = nil }; return value }) { throw shortfall }
        return program
    }

    deinit {
        base.deallocate()
        side.deallocate()
        scratch.baseAddress?.deallocate()
    }

    /// Max-pool winner codes at an offset of the side block.
    @inline(__always)
    public func bytes(_ offset: Int) -> UnsafeMutablePointer<UInt8> {
        (side + offset).assumingMemoryBound(to: UInt8.self)
    }

    /// Float64 sums at an offset of the side block.
    @inline(__always)
    public func doubles(_ offset: Int) -> UnsafeMutablePointer<Double> {
        (side + offset).assumingMemoryBound(to: Double.self)
    }

    /// Float per-channel values (a batch norm's mean and 1/std) at an offset of the side block.
    @inline(__always)
    public func floats(_ offset: Int) -> UnsafeMutablePointer<Float> {
        (side + offset).assumingMemoryBound(to: Float.self)
    }

    /// Floats at a byte offset.
    @inline(__always)
    public func f32(_ offset: Int) -> UnsafeMutablePointer<Float> {
        (base + offset).assumingMemoryBound(to: Float.self)
    }

    /// Int32s (labels, the dropout seed) at a byte offset.
    @inline(__always)
    public func i32(_ offset: Int) -> UnsafeMutablePointer<Int32> {
        (base + offset).assumingMemoryBound(to: Int32.self)
    }

    public func f32(_ offset: Int, count: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: f32(offset), count: count)
    }

    public func i32(_ offset: Int, count: Int) -> UnsafeMutableBufferPointer<Int32> {
        UnsafeMutableBufferPointer(start: i32(offset), count: count)
    }
}
