import ConvnetIR

/// Where every top-level value lives in one arena: executors allocate `arenaBytes` once and
/// address each value at its offset, so a step allocates nothing. Values inside fusion bodies
/// are the executor's scratch and are not assigned. A `reshape` gets its operand's slot (it is a
/// view, so executors skip it).
public struct BufferAssignment: Hashable, Sendable {
    /// One value's slice of the arena.
    public struct Slot: Hashable, Sendable {
        public var offset: Int
        /// The value's own size (4 bytes per element); its reservation is this rounded up to
        /// `alignment`.
        public var bytes: Int
    }

    /// Every slot starts on a multiple of this (a cache line, and enough for any SIMD load).
    public static let alignment = 64

    public var slots: [ValueID: Slot]
    /// The arena's size: the peak of the assignment.
    public var arenaBytes: Int
    /// What one buffer per value would take (each rounded to `alignment`), for comparison.
    public var naiveBytes: Int
    /// The most bytes live at any one instruction: no assignment can do better than this.
    public var liveLowerBound: Int
    /// The largest scratch one fusion needs for its body's intermediate values (everything but
    /// its arguments, views and result), which an executor allocates once beside the arena.
    public var scratchBytes: Int
    /// The intervals the assignment was made from (one per buffer owner), for checks and reports.
    public var intervals: [LiveInterval]
    /// Each reshape result and the value whose buffer it shares.
    public var aliases: [ValueID: ValueID]

    public static func aligned(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }

    /// Greedy best-fit: values in decreasing size (ties by definition order) each take the
    /// smallest gap, among the values already placed whose lifetimes overlap theirs, that fits;
    /// otherwise they go above all of them.
    public static func assign(_ graph: Graph) -> BufferAssignment {
        let intervals = Liveness.intervals(graph)
        let order = intervals.indices.sorted {
            let a = intervals[$0], b = intervals[$1]
            return a.bytes != b.bytes ? a.bytes > b.bytes : a.start < b.start
        }
        var placed: [(interval: LiveInterval, offset: Int, size: Int)] = []
        var slots: [ValueID: Slot] = [:]
        var arena = 0
        for index in order {
            let v = intervals[index]
            let size = aligned(max(v.bytes, 1))
            let busy = placed.filter { $0.interval.overlaps(v) }.map { ($0.offset, $0.offset + $0.size) }.sorted { $0.0 < $1.0 }
            var best: (offset: Int, gap: Int)? = nil
            var cursor = 0
            for (lo, hi) in busy {
                if lo - cursor >= size, best == nil || lo - cursor < best!.gap { best = (cursor, lo - cursor) }
                cursor = max(cursor, hi)
            }
            let offset = best?.offset ?? cursor
            placed.append((v, offset, size))
            slots[v.value] = Slot(offset: offset, bytes: v.bytes)
            arena = max(arena, offset + size)
        }
        let aliases = Liveness.aliases(graph)
        for (view, owner) in aliases { slots[view] = Slot(offset: slots[owner]!.offset, bytes: slots[owner]!.bytes) }
        let naive = graph.instructions.reduce(0) { $0 + aligned(max(Liveness.bytes(of: $1.type), 1)) }
        var lowerBound = 0
        if !intervals.isEmpty {
            var delta = [Int](repeating: 0, count: (intervals.map(\.end).max() ?? 0) + 2)
            for v in intervals {
                delta[v.start] += aligned(max(v.bytes, 1))
                delta[v.end + 1] -= aligned(max(v.bytes, 1))
            }
            var live = 0
            for d in delta { live += d; lowerBound = max(lowerBound, live) }
        }
        return BufferAssignment(slots: slots, arenaBytes: arena, naiveBytes: naive,
                                liveLowerBound: lowerBound, scratchBytes: scratch(graph), intervals: intervals, aliases: aliases)
    }

    /// The largest fusion body's intermediate bytes (see `scratchBytes`).
    static func scratch(_ graph: Graph) -> Int {
        graph.instructions.map { inst -> Int in
            guard case .fusion(_, let body) = inst.op else { return 0 }
            let result = body.outputs.first?.value
            return body.instructions.reduce(0) { sum, b in
                switch b.op {
                case .input, .reshape: return sum
                default: return b.result == result ? sum : sum + aligned(Liveness.bytes(of: b.type))
                }
            }
        }.max() ?? 0
    }
}
