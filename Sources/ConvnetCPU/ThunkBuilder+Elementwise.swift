import ConvnetIR

/// Pointwise ops, alone or as a chain, become one `ElementwiseLoop`.
extension ThunkBuilder {
    /// Whether `chain` (in order, each an elementwise instruction) can run as one loop writing
    /// `count` elements: every result has that count, and every operand is a value of that
    /// count, a rank-0 scalar, a bias vector along the last axis, or an earlier stage.
    static func isLoopChain(_ chain: [Instruction], count: Int) -> Bool {
        for inst in chain {
            guard case .elementwise(let e) = inst.op.family else { return false }
            if case .convert = e, inst.type.element != .f32 { return false }
            if inst.type.elementCount != count || inst.type.element != .f32 { return false }
        }
        return !chain.isEmpty
    }

    /// Lowers a chain of elementwise instructions into one loop whose last stage writes `output`.
    /// Operands defined outside the chain are read from `c`.
    func lowerElementwise(_ chain: [Instruction], _ c: Context, output: UnsafeMutablePointer<Float>,
                          op: String? = nil) throws {
        let count = chain.last!.type.elementCount
        var stageOf: [ValueID: Int] = [:]
        var stages: [ElementwiseLoop.Stage] = []
        for inst in chain {
            let kernel: ElementwiseLoop.Kernel
            guard case .elementwise(let e) = inst.op.family else {
                throw CPUCompileError("\(inst.op.mnemonic) is not elementwise")
            }
            switch e {
            case .unary(let u): kernel = .unary(u)
            case .binary(let b): kernel = .binary(b)
            case .activation(let f): kernel = .activation(f)
            case .activationGrad(let f): kernel = .activationGrad(f)
            case .biasAdd: kernel = .biasAdd
            case .convert: kernel = .copy
            }
            var sources: [ElementwiseLoop.Source] = []
            for (k, v) in inst.operands.enumerated() {
                if let s = stageOf[v] {
                    sources.append(.stage(s))
                    continue
                }
                let t = c.type(v)
                if t.isScalar {
                    sources.append(.scalar(c.f(v)))
                } else if case .biasAdd = inst.op, k == 1 {
                    sources.append(.bias(c.f(v), channels: t.elementCount))
                } else if t.elementCount == count {
                    sources.append(.tensor(c.f(v)))
                } else {
                    throw CPUCompileError("\(inst.op.mnemonic): operand \(v) of \(t) does not fit \(count) elements")
                }
            }
            stageOf[inst.result] = stages.count
            stages.append(.init(kernel: kernel, sources: sources))
        }
        let loop = ElementwiseLoop(stages: stages, count: count, output: output)
        let name = op ?? (chain.count == 1 ? chain[0].op.mnemonic : chain.map(\.op.mnemonic).joined(separator: "+"))
        add(chain.last!, op: name) { loop.run() }
    }
}
