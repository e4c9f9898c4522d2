import Foundation

/// The storage of a generated program: one zeroed, 64-byte aligned block whose layout the
/// emitter fixed, and the shared im2col scratch of its convolutions. Lives as long as the
/// program, so a step allocates nothing.
public final class NativeArena {
    private let base: UnsafeMutableRawPointer
    /// The convolutions' chunked im2col scratch (empty when the program has none).
    public let scratch: UnsafeMutableBufferPointer<Float>
    /// What one kernel leaves for a later one outside the buffer plan (the emitter's `SideStorage`).
    private let side: UnsafeMutableRawPointer

    public init(bytes: Int, scratchFloats: Int, sideBytes: Int = 0) {
        base = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: max(bytes, 64))
        side = UnsafeMutableRawPointer.allocate(byteCount: max(sideBytes, 64), alignment: 64)
        side.initializeMemory(as: UInt8.self, repeating: 0, count: max(sideBytes, 64))
        let s = UnsafeMutablePointer<Float>.allocate(capacity: max(scratchFloats, 1))
        s.initialize(repeating: 0, count: max(scratchFloats, 1))
        scratch = UnsafeMutableBufferPointer(start: s, count: scratchFloats)
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
