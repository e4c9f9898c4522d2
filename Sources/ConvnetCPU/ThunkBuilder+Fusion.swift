import ConvnetIR
import ConvnetKernels

/// `fusion(kind, body)`: recognised by the shape of its body, not its name.
///
/// - a chain of pointwise ops (and scalar constants) that all write the result's element count -> one
///   `ElementwiseLoop` (one pass over the elements);
/// - conv2d/matmul + bias_add (+ activation) -> one kernel call with the fused epilogue (the
///   body is lowered like a graph, where that pattern is always fused);
/// - anything else -> the body's own steps, with private temporaries allocated now.
///
/// Every step a fusion produces is named `fusion.<kind>` with the fusion's layer, so profiles
/// show the fused op.
extension ThunkBuilder {
    /// Lowers a fusion. With `biasGradient` (the `bias_grad` of the fusion's result, the next
    /// instruction), a body ending in an activation gradient ends in the one-pass activation
    /// gradient + bias gradient instead; returns whether that happened.
    @discardableResult
    func lowerFusion(_ inst: Instruction, kind: String, body: Graph, _ c: Context,
                     biasGradient: Instruction? = nil, biasOutput: UnsafeMutablePointer<Float>? = nil) throws -> Bool {
        // Where the bias gradient goes: its own storage, or staging when it is computed early.
        let db = biasOutput ?? biasGradient.map { c.f($0.result) }
        let name = "fusion." + kind
        let args = body.inputs.filter { if case .input(.argument) = $0.op { true } else { false } }
        guard args.count == inst.operands.count else {
            throw CPUCompileError("\(name) takes \(args.count) arguments, got \(inst.operands.count)")
        }
        guard let result = body.outputs.first?.value else { throw CPUCompileError("\(name) body has no output") }
        guard body.inputs.count == args.count else {
            throw CPUCompileError("\(name) body declares inputs other than its arguments")
        }
        var env: Environment = [:]
        for (arg, v) in zip(args, inst.operands) { env[arg.result] = c.raw(v) }
        // Constants get private storage filled now: nothing else ever writes it.
        var computed: [Instruction] = []
        for b in body.instructions {
            switch b.op {
            case .input: continue
            case .constant(let v) where b.result != result:
                let p = arena.floats(b.type.elementCount)
                p.update(repeating: Float(v), count: b.type.elementCount)
                env[b.result] = UnsafeMutableRawPointer(p)
            default: computed.append(b)
            }
        }
        let first = steps.count
        defer { rename(from: first, op: name, layer: inst.layer ?? "") }

        let types = Dictionary(body.instructions.map { ($0.result, $0.type) }, uniquingKeysWith: { _, b in b })
        // (A convert from i32 is not a float loop: it goes through the generic path.)
        let floatConverts = computed.allSatisfy { b in
            if case .convert = b.op { types[b.operands[0]]?.element == .f32 } else { true }
        }
        if Self.isLoopChain(computed, count: inst.type.elementCount), floatConverts, computed.last?.result == result {
            try lowerElementwise(computed, Context(env: env, types: types), output: c.f(inst.result), op: name)
            return false
        }
        // An elementwise result (the activation-gradient epilogue of a backward fusion) runs in
        // place on its first operand when that is a body temporary used once: the producer
        // then writes the fusion's result directly and no temporary is touched.
        let uses = body.useCounts()
        if let last = computed.last, last.result == result, last.op.isElementwise,
           let first = last.operands.first, uses[first] == 1,
           let producer = computed.first(where: { $0.result == first }),
           producer.type.elementCount == last.type.elementCount {
            if case .reshape = producer.op {} else { env[first] = c.raw(inst.result) }
        }
        for b in computed where env[b.result] == nil {
            if b.result == result {
                env[b.result] = c.raw(inst.result)
            } else if case .reshape = b.op, let source = env[b.operands[0]] {
                env[b.result] = source
            } else {
                env[b.result] = arena.allocate(bytes: b.type.elementCount * 4)
            }
        }
        // relu -> max pool, backward, with the bias gradient after: one pass (`backwardRelu`).
        if let db, computed.count == 2, case .maxPoolGrad(let p) = computed[0].op,
           case .activationGrad(.relu) = computed[1].op, computed[1].operands[0] == computed[0].result,
           let x = env[computed[0].operands[0]], env[computed[1].operands[1]] == x,
           let dy = env[computed[0].operands[1]], let shape = types[computed[0].operands[0]]?.shape {
            let g = Self.poolGeometry(shape, p)
            if MaxPoolKernels.applies(g) {
                let out = c.f(inst.result), channels = g.channels
                let input = x.assumingMemoryBound(to: Float.self), gradient = dy.assumingMemoryBound(to: Float.self)
                let sums = arena.doubles(channels), codes = recordedWinners(of: x, g)
                add(inst, op: name) {
                    MaxPoolKernels.backwardRelu(g, input: input, winners: codes, outputGradient: gradient,
                                                inputGradient: out, biasSums: sums)
                    for k in 0..<channels { db[k] = Float(sums[k]) }
                }
                return true
            }
        }
        // The activation gradient at the end, with the bias gradient after the fusion: the body
        // without it, then one pass that masks in place and sums the channels.
        if let biasGradient, let last = computed.last, case .activationGrad(let f) = last.op,
           let dyValue = last.operands.first, env[dyValue] == c.raw(inst.result) {
            var trimmed = body
            trimmed.instructions.removeAll { $0.result == result }
            trimmed.outputs = [GraphOutput(name: "result", value: dyValue)]
            let y = env[last.operands[1]]!.assumingMemoryBound(to: Float.self)
            if f == .relu {
                pendingReluBackward = (dyValue, y, db!, biasGradient.type.elementCount)
                reluBackwardFused = false
            }
            defer { pendingReluBackward = nil }
            try lower(trimmed, env: env, fuse: true)
            if reluBackwardFused { return true }
            let out = c.f(inst.result)
            emitActivationBiasGradient(f, dy: out, y: env[last.operands[1]]!.assumingMemoryBound(to: Float.self),
                                       dx: out, db: db!, count: inst.type.elementCount,
                                       channels: biasGradient.type.elementCount, at: inst)
            return true
        }
        try lower(body, env: env, fuse: true)
        if env[result] != c.raw(inst.result) {
            // The body returns one of its arguments unchanged.
            let src = env[result]!, dst = c.raw(inst.result), bytes = inst.type.elementCount * 4
            add(inst, op: name) { dst.copyMemory(from: src, byteCount: bytes) }
        }
        return false
    }

    /// Names the steps from `first` on as the fusion they implement.
    private func rename(from first: Int, op: String, layer: String) {
        for i in first..<steps.count { steps[i] = Step(run: steps[i].run, op: op, layer: layer) }
    }
}
