import ConvnetIR
import ConvnetOptimizer

/// Where every top-level value of one program lives: a byte offset into one arena allocated
/// when the generated program starts, fixed at emission time so the code carries constants.
///
/// The offsets are the optimizer's `BufferAssignment` (values whose lifetimes do not overlap
/// share bytes; a `reshape` is a view of its operand's slot; a multi-result fusion's extra
/// results are live from the fusion on). The generated code reads exactly each instruction's
/// operands and writes its results, as the CPU executor does, so the assignment holds for it.
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
    /// Whether the offsets are the optimizer's buffer assignment (always, now).
    let shared = true

    /// The optimizer's assignment of `graph`, plus private slots after it.
    init(_ graph: Graph, assignment: BufferAssignment) {
        for inst in graph.instructions {
            for d in inst.definitions {
                guard let s = assignment.slots[d.value] else { continue }
                slots[d.value] = Slot(offset: s.offset, count: d.type.elementCount, shape: d.type.shape, element: d.type.element)
            }
        }
        bytes = (assignment.arenaBytes + 63) / 64 * 64
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
