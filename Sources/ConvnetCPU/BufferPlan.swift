import ConvnetIR

/// Where each top-level value of a graph lives in the executable's one arena.
///
/// Why a protocol: the executor's thunks only ever see raw pointers computed from these offsets
/// at compile time, so the optimizer's liveness-based `BufferAssignment` (values whose lifetimes
/// do not overlap share bytes) can replace `NaiveBufferPlan` without touching any thunk.
/// A plan must give every value that is an input or an output a slice of its own for as long
/// as it is needed; values it does not place (nil) get private storage from the executor.
public protocol BufferPlan {
    /// Total bytes of the arena.
    var arenaBytes: Int { get }
    /// Byte offset of `value` in the arena (aligned to 64 bytes), or nil if the plan does not
    /// place it.
    func byteOffset(of value: ValueID) -> Int?
    /// Floats from one row of `value` to the next when it is a channel slice of another value's
    /// buffer (a concat operand written in place, a concat gradient's slice read in place), or
    /// nil when its rows are packed. Only ops that take a row stride ever see such a value
    /// (`ChannelViews`); the executor refuses any other.
    func rowStride(of value: ValueID) -> Int?
}

extension BufferPlan {
    /// Packed rows: a plan without channel views.
    public func rowStride(of value: ValueID) -> Int? { nil }
}

/// One slice per value, nothing shared, except that a `reshape` aliases its operand (same
/// row-major bytes, so no copy). Simple and obviously correct; the peak is the sum of every
/// value's size.
public struct NaiveBufferPlan: BufferPlan {
    public private(set) var arenaBytes: Int = 0
    private var offsets: [ValueID: Int] = [:]

    /// The alignment of every slice: one cache line, and what AVX-512 loads like.
    public static let alignment = 64

    public init(_ graph: Graph) {
        for inst in graph.instructions {
            if case .reshape = inst.op, let source = offsets[inst.operands[0]] {
                offsets[inst.result] = source
                continue
            }
            for d in inst.definitions {
                offsets[d.value] = arenaBytes
                let bytes = max(d.type.elementCount, 1) * 4
                arenaBytes += (bytes + Self.alignment - 1) / Self.alignment * Self.alignment
            }
        }
    }

    public func byteOffset(of value: ValueID) -> Int? { offsets[value] }
}
