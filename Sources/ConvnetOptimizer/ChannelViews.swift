import ConvnetIR

/// A value stored as a channel slice of another value's buffer: NHWC, so each of its rows
/// (one pixel of one image) is `channels` floats at `channelStart` of a row of the owner,
/// rows `rowStride` floats apart (the owner's channel count).
public struct ChannelView: Hashable, Sendable {
    /// The value whose buffer holds this one.
    public var owner: ValueID
    /// Where this value's channels start in each of the owner's rows.
    public var channelStart: Int
    /// Floats from one row to the next: the owner's channels.
    public var rowStride: Int

    public init(owner: ValueID, channelStart: Int, rowStride: Int) {
        self.owner = owner
        self.channelStart = channelStart
        self.rowStride = rowStride
    }
}

/// Concat without copies (`TargetCapabilities.concatInPlace`): buffer assignment places each
/// operand of a `concat` as its channel slice of the concat's buffer, so the op that makes the
/// operand writes it there and the concat copies nothing; and each `channel_slice` (concat's
/// gradient) as a view of the sliced gradient, read in place by the ops that take it.
///
/// Why only some ops: a view's rows are strided, so every op that writes or reads one must take
/// a row stride. The ops that do are listed here (`writesRows`, `readsRows`), the one place
/// that decides it; the CPU executor passes the stride to their kernels and refuses a view any
/// other op would touch. An operand is placed only when its producer is such an op and the
/// concat is its only reader (a value read elsewhere, a graph input or output keeps its own
/// buffer and is copied, as before); a slice only when every reader takes it in place.
public enum ChannelViews {
    /// The values of `graph` that live in another's buffer, with where.
    public static func plan(_ graph: Graph) -> [ValueID: ChannelView] {
        let uses = graph.useCounts()
        let users = graph.users()
        let outputs = Set(graph.outputs.map(\.value))
        let producers = Dictionary(graph.instructions.map { ($0.result, $0) }, uniquingKeysWith: { a, _ in a })
        var views: [ValueID: ChannelView] = [:]
        for inst in graph.instructions {
            if case .concat = inst.op {
                let stride = inst.type.shape.last ?? 1
                var start = 0
                for v in inst.operands {
                    let channels = graph.type(of: v)?.shape.last ?? 1
                    defer { start += channels }
                    guard uses[v] == 1, !outputs.contains(v), let producer = producers[v],
                          producer.extraResults.isEmpty, writesRows(producer) else { continue }
                    views[v] = ChannelView(owner: inst.result, channelStart: start, rowStride: stride)
                }
            } else if case .channelSlice(let start, _) = inst.op {
                let source = inst.operands[0], s = inst.result
                guard views[source] == nil, !outputs.contains(s),
                      let readers = users[s], !readers.isEmpty,
                      readers.allSatisfy({ readsRows(graph.instructions[$0], of: s) }) else { continue }
                views[s] = ChannelView(owner: source, channelStart: start, rowStride: graph.type(of: source)?.shape.last ?? 1)
            }
        }
        return views
    }

    /// Why `inst` cannot run on a plan where `isView` says which values are channel views, or
    /// nil when it can: a view reaches only ops that take its row stride, namely its producer
    /// (`writesRows`), the concat it is a slice of, the channel_slice that makes it and the
    /// readers `readsRows` allows. The CPU executor and the Swift emitter both refuse a plan
    /// with this message before they run or write anything.
    public static func misuse(in inst: Instruction, isView: (ValueID) -> Bool) -> String? {
        let isConcat: Bool = if case .concat = inst.op { true } else { false }
        let isSlice: Bool = if case .channelSlice = inst.op { true } else { false }
        for d in inst.definitions where isView(d.value) && !(isSlice || writesRows(inst)) {
            return "\(inst.op.mnemonic) cannot write \(d.value) as a channel view (strided rows)"
        }
        for v in inst.operands where isView(v) && !(isConcat || readsRows(inst, of: v)) {
            return "\(inst.op.mnemonic) cannot read \(v) as a channel view (strided rows)"
        }
        return nil
    }

    /// Whether `inst` can write its result as a view (rows `rowStride` apart): a batch norm's
    /// normalisation, training or inference.
    public static func writesRows(_ inst: Instruction) -> Bool {
        if case .batchNormTraining = inst.op { return true }
        if case .batchNormInference = inst.op { return true }
        return false
    }

    /// Whether `inst` can read `v` as a view: `v` is only its incoming gradient (operand 0) and
    /// it is a batch norm's input or gamma gradient, a `bias_grad` (a beta's), or the fused
    /// batch-norm input gradient with the activation gradient of the layer before.
    public static func readsRows(_ inst: Instruction, of v: ValueID) -> Bool {
        guard inst.operands.first == v, !inst.operands.dropFirst().contains(v) else { return false }
        if case .batchNormGradInput = inst.op { return true }
        if case .batchNormGradGamma = inst.op { return true }
        if case .biasGrad = inst.op { return true }
        // The fused form: the body's argument 0 (dy) is read by its one batch_norm_grad_input, only.
        guard case .fusion(.gradient(.batchNormGradInput, _, _), let body) = inst.op,
              let dy = body.inputs.first?.result else { return false }
        let readers = body.instructions.filter { $0.operands.contains(dy) }
        guard readers.count == 1, case .batchNormGradInput = readers[0].op else { return false }
        return readers[0].operands.first == dy && !readers[0].operands.dropFirst().contains(dy)
    }
}
