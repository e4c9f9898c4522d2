import ConvnetIR

/// Where every top-level value lives in one arena: executors allocate `arenaBytes` once and
/// address each value at its offset, so a step allocates nothing. A `reshape` gets its
/// operand's slot (it is a view, so executors skip it).
///
/// Values inside a fusion body are scratch: each fusion gets its own small assignment of its
/// body's intermediate values (`fusionScratch`; arguments, their views and the body's result are
/// left out, since they live in the arena), and an executor allocates one scratch area of
/// `scratchBytes`, the largest of them, beside the arena.
public struct BufferAssignment: Hashable, Sendable {
    /// One value's slice of the arena.
    public struct Slot: Hashable, Sendable {
        /// Bytes from the arena's start, a multiple of `alignment` (a channel view's: its owner's
        /// plus 4 bytes per channel before it).
        public var offset: Int
        /// The value's own size (4 bytes per element); its reservation is this rounded up to
        /// `alignment`.
        public var bytes: Int
    }

    /// Every slot starts on a multiple of this (a cache line, and enough for any SIMD load).
    public static let alignment = 64

    /// Every assigned value's slot (reshapes share their operand's).
    public var slots: [ValueID: Slot]
    /// The arena's size: the peak of the assignment.
    public var arenaBytes: Int
    /// What one buffer per value would take (each rounded to `alignment`, reshapes included, as
    /// an executor that copies on reshape would), for comparison.
    public var naiveBytes: Int
    /// The most bytes live at any one instruction: no assignment can do better than this.
    public var liveLowerBound: Int
    /// The intervals the assignment was made from (one per buffer owner), for checks and reports.
    public var intervals: [LiveInterval]
    /// Each reshape result and the value whose buffer it shares.
    public var aliases: [ValueID: ValueID]
    /// Values stored as a channel slice of another's buffer (`ChannelViews`: concat operands
    /// written in place, concat gradients' slices read in place); their slot is where their
    /// first row starts, rows `rowStride` floats apart. Empty unless asked for.
    public var channelViews: [ValueID: ChannelView] = [:]
    /// Whether the target places channel views at all (`TargetCapabilities.concatInPlace`): then
    /// a concat operand or slice without a view is copied, and `--dump-ir` says which.
    public var placesChannelViews = false
    /// For each top-level fusion (by its result), the slots of its body's intermediate values
    /// in a scratch area (offsets from the scratch area's start; body value ids).
    public var fusionScratch: [ValueID: BufferAssignment]
    /// The largest scratch area any fusion needs.
    public var scratchBytes: Int {
        fusionScratch.values.map(\.arenaBytes).max() ?? 0
    }

    /// `bytes` rounded up to `alignment`.
    public static func aligned(_ bytes: Int) -> Int { (bytes + alignment - 1) / alignment * alignment }

    /// Assigns the top-level values of `graph`, and the scratch of each fusion body; `views`
    /// (`ChannelViews.plan`) live inside their owners' slots.
    public static func assign(_ graph: Graph, channelViews views: [ValueID: ChannelView] = [:]) -> BufferAssignment {
        var top = assign(graph, leavingOut: [], views: views)
        for inst in graph.instructions {
            guard case .fusion(_, let body) = inst.op else { continue }
            var external = Set(body.inputs.map(\.result))
            external.formUnion(body.outputs.map(\.value))
            // An output that is a view (a reshape) of a body value: that value is the output's
            // storage too, so it is not scratch either.
            let views = Liveness.aliases(body)
            external.formUnion(body.outputs.compactMap { views[$0.value] })
            top.fusionScratch[inst.result] = assign(body, leavingOut: external)
        }
        return top
    }

    /// Greedy best-fit: buffers in decreasing size (ties by definition order) each take the
    /// smallest gap, among the buffers already placed whose lifetimes overlap theirs, that
    /// fits; otherwise they go above all of them. Buffers owned by `leavingOut` get no slot.
    static func assign(_ graph: Graph, leavingOut external: Set<ValueID>,
                       views: [ValueID: ChannelView] = [:]) -> BufferAssignment {
        let intervals = Liveness.intervals(graph, views: views).filter { !external.contains($0.value) }
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
        let aliases = Liveness.aliases(graph).filter { !external.contains($0.value) }
        for (view, owner) in aliases { slots[view] = slots[owner] }
        let types = graph.types()
        for (v, view) in views {
            guard let owner = slots[aliases[view.owner] ?? view.owner] else { continue }
            slots[v] = Slot(offset: owner.offset + 4 * view.channelStart, bytes: types[v].map(Liveness.bytes(of:)) ?? 0)
        }
        let naive = graph.instructions.flatMap(\.definitions).filter { !external.contains($0.value) }
            .reduce(0) { $0 + aligned(max(Liveness.bytes(of: $1.type), 1)) }
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
                                liveLowerBound: lowerBound, intervals: intervals, aliases: aliases,
                                channelViews: views, fusionScratch: [:])
    }
}
