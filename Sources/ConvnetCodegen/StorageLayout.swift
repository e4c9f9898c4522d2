import ConvnetIR
import ConvnetOptimizer

/// Where every top-level value of one program lives: a byte offset into one arena allocated
/// when the generated program starts, fixed at emission time so the code carries constants.
///
/// Every value gets its own slot (no reuse between values whose lifetimes do not overlap), so
/// no generated step can read a slot another step already overwrote; a `reshape` is a view of
/// its operand's slot. Values the emitter never materialises (an `im2col` folded into a
/// chunked filter-gradient call) get no slot.
struct StorageLayout {
    struct Slot {
        var offset: Int
        var count: Int
        var shape: [Int]
        var element: ElementType
    }

    private(set) var slots: [ValueID: Slot] = [:]
    /// Private buffers of single instructions (softmax probabilities), keyed by the result.
    private(set) var privateSlots: [ValueID: Slot] = [:]
    private(set) var bytes = 0
    /// Whether the offsets are the optimizer's buffer assignment (else one slot per value).
    private(set) var shared = false

    /// Lays out `graph`, leaving out `skipped` values.
    init(_ graph: Graph, skipping skipped: Set<ValueID>) {
        for inst in graph.instructions where !skipped.contains(inst.result) {
            if case .reshape = inst.op, let source = slots[inst.operands[0]] {
                slots[inst.result] = Slot(offset: source.offset, count: inst.type.elementCount,
                                          shape: inst.type.shape, element: inst.type.element)
                continue
            }
            slots[inst.result] = allocate(inst.type.elementCount, inst.type.shape, inst.type.element)
            if case .softmaxCrossEntropy = inst.op, let logits = graph.type(of: inst.operands[0]) {
                privateSlots[inst.result] = allocate(logits.elementCount, logits.shape, .f32)
            }
        }
    }

    /// The optimizer's `BufferAssignment` (values whose lifetimes do not overlap share bytes),
    /// checked against what the generated code actually reads: `reads` gives, for each emitted
    /// instruction (by result), the values its code reads, which differ from the IR's operands
    /// where a lowered convolution gradient is folded into one banded call. Nil when some write
    /// would overwrite bytes a later read, an input, a constant or an output still needs; the
    /// caller then keeps one slot per value.
    init?(_ graph: Graph, assignment: BufferAssignment, emitted: [ValueID], reads: [ValueID: [ValueID]]) {
        let n = graph.instructions.count
        var owner: [ValueID: ValueID] = [:]
        for inst in graph.instructions {
            if case .reshape = inst.op, let o = assignment.aliases[inst.result] { owner[inst.result] = owner[o] ?? o }
        }
        func root(_ v: ValueID) -> ValueID { owner[v] ?? v }
        // Birth (-1: before the run) and last read (n: after it) of every owner of bytes.
        var birth: [ValueID: Int] = [:], death: [ValueID: Int] = [:]
        var writes: [(at: Int, value: ValueID)] = []
        for inst in graph.instructions {
            switch inst.op {
            case .input: birth[inst.result] = -1; death[inst.result] = n
            default: break
            }
        }
        for (k, v) in emitted.enumerated() {
            if birth[root(v)] == nil { birth[root(v)] = k }
            writes.append((k, root(v)))
            for r in reads[v] ?? [] { death[root(r)] = max(death[root(r)] ?? k, k) }
        }
        for output in graph.outputs { death[root(output.value)] = n }
        func range(_ v: ValueID) -> Range<Int>? {
            guard let s = assignment.slots[v] else { return nil }
            return s.offset..<(s.offset + max(s.bytes, 1))
        }
        for (k, w) in writes {
            guard let mine = range(w) else { return nil }
            for (v, b) in birth where v != w {
                guard let d = death[v], b < k, k <= d, let theirs = range(v), theirs.overlaps(mine) else { continue }
                return nil
            }
        }
        for inst in graph.instructions {
            guard let s = assignment.slots[inst.result] else { continue }
            slots[inst.result] = Slot(offset: s.offset, count: inst.type.elementCount, shape: inst.type.shape,
                                      element: inst.type.element)
        }
        bytes = (assignment.arenaBytes + 63) / 64 * 64
        shared = true
        for inst in graph.instructions {
            if case .softmaxCrossEntropy = inst.op, let logits = graph.type(of: inst.operands[0]) {
                privateSlots[inst.result] = allocate(logits.elementCount, logits.shape, .f32)
            }
        }
    }

    private mutating func allocate(_ count: Int, _ shape: [Int], _ element: ElementType) -> Slot {
        let slot = Slot(offset: bytes, count: count, shape: shape, element: element)
        bytes += (max(count, 1) * 4 + 63) / 64 * 64
        return slot
    }

    /// The slot of `v`; the emitter only asks for values it placed.
    func slot(_ v: ValueID) -> Slot {
        guard let s = slots[v] else { preconditionFailure("value \(v) has no slot") }
        return s
    }
}
