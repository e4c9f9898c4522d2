import ConvnetOptimizer

extension TPUDevice {
    /// Runs `c = a * b` on this device's MXU (layouts as in `MXU.matmul`) and charges the
    /// counter under `op`/`layer`: the weight-stationary plan's MXU cycles and MACs, plus the HBM
    /// traffic of reading A and B and writing C once as float32 (our assumption: operands live
    /// in HBM as float32 and are rounded to bfloat16 on the way into the MXU, as XLA does for
    /// default-precision matmuls on TPU). Returns the plan it used.
    @discardableResult
    public func matmul(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                       m: Int, k: Int, n: Int, transposeA: Bool = false, transposeB: Bool = false,
                       op: String, layer: String = "", counter: inout CycleCounter,
                       threads: Int = MXU.defaultThreads) -> TilePlan {
        let plan = self.plan(m: m, k: k, n: n)
        MXU.matmul(a: a, b: b, c: c, plan: plan, transposeA: transposeA, transposeB: transposeB, threads: threads)
        counter.chargeMXU(op: op, layer: layer, plan: plan)
        counter.chargeMemory(op: op, layer: layer, bytes: 4 * (m * k + k * n + m * n), device: self)
        return plan
    }
}

extension CycleCounter.Entry {
    /// Useful MACs over the MAC slots of the MXU cycles charged: SCALE-Sim's overall
    /// utilisation, summed over every matmul in the row. Zero when no MXU work was charged.
    public func mxuUtilization(array: MXUShape) -> Double {
        mxuCycles == 0 ? 0 : Double(macs) / (Double(array.cells) * Double(mxuCycles))
    }
}
