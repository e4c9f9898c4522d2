import ConvnetIR

/// When one buffer is live, in top-level instruction positions (inclusive). A buffer holds a
/// value and every `reshape` of it (reshapes are row-major, so they are views: executors skip
/// them). Inputs are live for the whole program (executors keep weights and slots in them
/// between steps); graph outputs live from their definition to the end (the caller reads them
/// after the run). A multi-result fusion's extra results are live from the fusion on, like its
/// result: a kernel writing several values never shares bytes with what it reads.
public struct LiveInterval: Hashable, Sendable {
    /// The value that owns the buffer (not a reshape).
    public var value: ValueID
    /// The defining instruction's position.
    public var start: Int
    /// The last position that reads it or one of its reshapes (or the end, when pinned).
    public var end: Int
    /// The buffer's size: 4 bytes per element.
    public var bytes: Int
    /// Inputs and outputs: never shared with another value while live.
    public var pinned: Bool

    /// Whether both are live at some instruction.
    public func overlaps(_ other: LiveInterval) -> Bool { start <= other.end && other.start <= end }
}

/// Live ranges of the top-level buffers of a graph.
public enum Liveness {
    /// Bytes of a value: 4 per element for both f32 and i32.
    public static func bytes(of type: TensorType) -> Int { 4 * type.elementCount }

    /// For each reshape result, the value whose buffer it views (following chains).
    public static func aliases(_ graph: Graph) -> [ValueID: ValueID] {
        var owner: [ValueID: ValueID] = [:]
        for inst in graph.instructions {
            if case .reshape = inst.op { owner[inst.result] = owner[inst.operands[0]] ?? inst.operands[0] }
        }
        return owner
    }

    /// One interval per buffer owner, in definition order. A channel view (`ChannelViews`) is
    /// part of its owner's buffer: the owner is live from the first definition of either (a
    /// concat's operands are written before the concat) to the last read of either.
    public static func intervals(_ graph: Graph, views: [ValueID: ChannelView] = [:]) -> [LiveInterval] {
        let alias = aliases(graph)
        func owner(_ v: ValueID) -> ValueID {
            if let o = alias[v] { return o }
            if let view = views[v] { return alias[view.owner] ?? view.owner }
            return v
        }
        let last = max(graph.instructions.count - 1, 0)
        var lastUse: [ValueID: Int] = [:]
        var firstDefinition: [ValueID: Int] = [:]
        for (i, inst) in graph.instructions.enumerated() {
            for o in inst.operands { lastUse[owner(o)] = i }
            for d in inst.definitions where views[d.value] != nil {
                firstDefinition[owner(d.value)] = min(firstDefinition[owner(d.value)] ?? i, i)
            }
        }
        var pinnedOwners = Set(graph.outputs.map { owner($0.value) })
        for inst in graph.inputs { pinnedOwners.insert(inst.result) }
        return graph.instructions.enumerated().flatMap { i, inst in
            inst.definitions.compactMap { d -> LiveInterval? in
                if alias[d.value] != nil || views[d.value] != nil { return nil }
                let isInput: Bool = if case .input = inst.op { true } else { false }
                let pinned = pinnedOwners.contains(d.value)
                let start = isInput ? 0 : min(i, firstDefinition[d.value] ?? i)
                let end = pinned ? last : max(lastUse[d.value] ?? i, i)
                return LiveInterval(value: d.value, start: start, end: end, bytes: bytes(of: d.type), pinned: pinned)
            }
        }
    }
}
