import ConvnetIR
import ConvnetOptimizer

/// The static cost of a program on one emulated TPU core: one `ProfileRow` per top-level
/// instruction, in program order.
///
/// - MXU: every conv2d, both its gradients, and every matmul (top level or inside a fusion)
///   costs the SCALE-Sim weight-stationary cycles of its (M, K, N) (`MatmulDimensions`,
///   `TPUDevice.plan`). References.md §5.
/// - VPU: element-operations over lanes (`VectorCost`, `TPUDevice.vpuCycles`). A fusion's
///   vector work is the sum over its body; data movement that feeds its matmul is free.
/// - Memory: the bytes of every distinct operand plus the result, 4 bytes an element (float32
///   and int32), over the core's HBM bandwidth (`TPUDevice.memoryCycles`). The MXU's bfloat16
///   rounding happens on the way into the array, so HBM holds float32 (Keras' default
///   precision policy, which the codelab uses). A fusion moves only its operands and result.
/// - Inputs (weights, data) and constants cost nothing and get no row: they are already in HBM
///   (or folded into the code). A reshape is a re-labelling of a row-major buffer: zero.
///
/// What the model leaves out, and why a real step is slower than it predicts: XLA's layout
/// choices and padding of small feature dimensions to 128 lanes and batch tiles to 8 rows (the
/// VPU and HBM work on padded tiles; our vector and memory costs use exact element counts), the
/// HBM traffic of materialised patches when a convolution is lowered through im2col, fusion
/// boundaries that differ from ours, per-op launch and pipeline bubbles (no overlap between
/// consecutive ops is modelled), link latency in the all-reduce, the host input pipeline
/// (JPEG decoding, infeed), and the host-device round trip of every Keras step. `NotebookStepTime`
/// compares the modelled flowers step with the real TPU v2-8 figure.
public struct TPUCostModel: Sendable {
    public var device: TPUDevice
    /// How tensors are stored for vector and HBM costs: exact counts (the default, a lower
    /// bound) or XLA's (8, 128) tiles (`TileLayout`).
    public var layout: TileLayout

    public init(device: TPUDevice = .tpuV2, layout: TileLayout = .exact) {
        self.device = device
        self.layout = layout
    }

    /// One row per top-level instruction except inputs and constants, in program order.
    public func profile(_ graph: Graph) -> [ProfileRow] {
        var types: [ValueID: TensorType] = [:]
        var rows: [ProfileRow] = []
        for inst in graph.instructions {
            for d in inst.definitions { types[d.value] = d.type }
            if case .input = inst.op { continue }
            if case .constant = inst.op { continue }
            let operandTypes = inst.operands.map { types[$0]! }
            var row = ProfileRow(op: inst.op.mnemonic, layer: inst.layer ?? "")
            if case .fusion(_, let body) = inst.op {
                let work = bodyWork(body)
                row.plans = work.plans
                row.vpuCycles = device.vpuCycles(elements: work.elementOps)
                if row.layer.isEmpty { row.layer = body.instructions.lazy.compactMap(\.layer).first ?? "" }
            } else {
                if let d = MatmulDimensions.of(inst.op, operands: operandTypes, result: inst.type) {
                    row.plans = [device.plan(m: d.m, k: d.k, n: d.n)]
                }
                row.vpuCycles = device.vpuCycles(elements: VectorCost.elementOps(
                    inst.op, operands: operandTypes.map(layout.stored), result: layout.stored(inst.type)))
            }
            row.mxuCycles = row.plans.reduce(0) { $0 + $1.cycles }
            row.macs = row.plans.reduce(0) { $0 + $1.macs }
            if case .reshape = inst.op {
                row.bytes = 0
            } else {
                var seen = Set<ValueID>()
                let distinct = zip(inst.operands, operandTypes).filter { seen.insert($0.0).inserted }
                row.bytes = 4 * (distinct.reduce(0) { $0 + layout.stored($1.1).elementCount }
                                + inst.definitions.reduce(0) { $0 + layout.stored($1.type).elementCount })
            }
            row.memoryCycles = device.memoryCycles(bytes: row.bytes)
            rows.append(row)
        }
        return rows
    }

    /// The matmul plans and vector element-operations of a fusion body.
    private func bodyWork(_ body: Graph) -> (plans: [TilePlan], elementOps: Int) {
        var types: [ValueID: TensorType] = [:]
        var plans: [TilePlan] = []
        var ops = 0
        let hasMatmul = body.instructions.contains { isMXU($0.op) }
        for inst in body.instructions {
            types[inst.result] = inst.type
            let operandTypes = inst.operands.map { types[$0]! }
            if let d = MatmulDimensions.of(inst.op, operands: operandTypes, result: inst.type) {
                plans.append(device.plan(m: d.m, k: d.k, n: d.n))
            } else if case .fusion(_, let inner) = inst.op {
                let w = bodyWork(inner)
                plans += w.plans
                ops += w.elementOps
            } else {
                ops += VectorCost.elementOps(inst.op, operands: operandTypes.map(layout.stored),
                                             result: layout.stored(inst.type), feedsMXU: hasMatmul)
            }
        }
        return (plans, ops)
    }

    private func isMXU(_ op: Op) -> Bool {
        guard case .linear(let linear) = op.family else { return false }
        switch linear {
        case .conv2d, .conv2dFilterGrad, .conv2dInputGrad, .matmul: return true
        case .im2col, .col2im: return false
        }
    }
}
