import ConvnetIR

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
