import ConvnetOptimizer

/// What one top-level instruction of a program costs on one emulated TPU core.
///
/// A fusion is one row (its op name is the fusion's, e.g. `fusion.conv_bias_relu`): its body
/// runs without writing intermediates to HBM, so only its operands and result are "moved".
public struct ProfileRow: Hashable, Sendable {
    /// The op's mnemonic (`conv2d`, `relu_grad`, `fusion.conv_bias_relu`).
    public var op: String
    /// The model layer it comes from (the `summary` name, `conv2d_1`), `loss`, `optimizer`, or
    /// empty when the builder gave none.
    public var layer: String
    /// Cycles on the MXU: the sum of the SCALE-Sim weight-stationary counts of the row's matmul
    /// plans (`TilePlan.cycles`), zero for vector-only ops.
    public var mxuCycles: Int
    /// Cycles on the vector unit: element-operations over lanes (`VectorCost`).
    public var vpuCycles: Int
    /// Cycles HBM needs for `bytes` at the core's share of bandwidth.
    public var memoryCycles: Int
    /// Bytes read and written in HBM: operands plus result, 4 bytes an element (see `TPUCostModel`).
    public var bytes: Int
    /// Useful multiply-accumulates on the MXU.
    public var macs: Int
    /// The weight-stationary plans of the row's matmuls (a fusion holds at most one).
    public var plans: [TilePlan]

    public init(op: String, layer: String, mxuCycles: Int = 0, vpuCycles: Int = 0, memoryCycles: Int = 0,
                bytes: Int = 0, macs: Int = 0, plans: [TilePlan] = []) {
        self.op = op
        self.layer = layer
        self.mxuCycles = mxuCycles
        self.vpuCycles = vpuCycles
        self.memoryCycles = memoryCycles
        self.bytes = bytes
        self.macs = macs
        self.plans = plans
    }

    /// The row's time on the core (the cost model's one rule for it): the
    /// MXU and the VPU take turns while HBM traffic overlaps with both, so the row takes
    /// `max(mxu + vpu, memory)` cycles.
    public var estimatedCycles: Int { max(mxuCycles + vpuCycles, memoryCycles) }

    /// Useful MACs over the MAC slots of the MXU cycles the row occupies, `macs / (R*C*cycles)`;
    /// 0 when the row does not use the MXU.
    public func mxuUtilization(array: MXUShape) -> Double {
        mxuCycles == 0 ? 0 : Double(macs) / (Double(array.cells) * Double(mxuCycles))
    }

    /// Whether the compute units or HBM bound the row.
    public var isMemoryBound: Bool { memoryCycles > mxuCycles + vpuCycles }
}
