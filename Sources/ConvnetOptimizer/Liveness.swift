import ConvnetIR

/// When each top-level value is live, in instruction positions (inclusive). Inputs are live for
/// the whole program (executors keep weights and slots in them between steps); graph outputs
/// live from their definition to the end (the caller reads them after the run).
public struct LiveInterval: Hashable, Sendable {
    public var value: ValueID
    /// The defining instruction's position.
    public var start: Int
    /// The last position that reads it (or the end, when pinned).
    public var end: Int
    public var bytes: Int
    /// Inputs and outputs: never shared with another value while live.
    public var pinned: Bool

    public func overlaps(_ other: LiveInterval) -> Bool { start <= other.end && other.start <= end }
}

public enum Liveness {
    /// Bytes of a value: 4 per element for both f32 and i32.
    public static func bytes(of type: TensorType) -> Int { 4 * type.elementCount }

    public static func intervals(_ graph: Graph) -> [LiveInterval] {
        let last = max(graph.instructions.count - 1, 0)
        var lastUse: [ValueID: Int] = [:]
        for (i, inst) in graph.instructions.enumerated() { for o in inst.operands { lastUse[o] = i } }
        let outputs = Set(graph.outputs.map(\.value))
        return graph.instructions.enumerated().map { i, inst in
            let isInput: Bool = if case .input = inst.op { true } else { false }
            let pinned = isInput || outputs.contains(inst.result)
            let start = isInput ? 0 : i
            let end = pinned ? last : (lastUse[inst.result] ?? i)
            return LiveInterval(value: inst.result, start: start, end: end, bytes: bytes(of: inst.type), pinned: pinned)
        }
    }
}
