/// The shared im2col scratch of every convolution: sized to the largest need once the whole
/// graph has been compiled, then allocated once. Thunks hold this box and read the pointer
/// when they run (it is set before the first run).
public final class SharedScratch {
    public init() {}

    public var pointer: UnsafeMutablePointer<Float>?
    public private(set) var floats = 0

    /// Records that some op needs `count` floats.
    public func reserve(_ count: Int) { floats = max(floats, count) }

    /// The first `count` floats, for one convolution's chunked im2col.
    @inline(__always)
    public func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }
}
