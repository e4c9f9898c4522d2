import ConvnetIR
import ConvnetKernels

/// `fusion(kind, body)`: dispatched on its `FusionKind` and the optimizer's kernel decisions,
/// never on the shape of its body.
///
/// - convolutions (`conv*`, `conv_input_grad*`, `conv_filter_grad`): a `ParallelConv` running
///   the plan's `kernel=`, with the kind's epilogue, pool or bias gradient (`ThunkBuilder+ConvFusion`);
/// - `matmul_bias*`: one GEMM with the bias + activation epilogue;
/// - `loop`: one `ElementwiseLoop` (one pass over the elements);
/// - `<producer>_<act>_grad[_bias_grad]`: the producer writing the result, then the activation
///   gradient in place (with the bias sums in the same pass for `_bias_grad`).
///
/// Every step a fusion produces is named `fusion.<kind>` with the fusion's layer, so profiles
/// show the fused op.
extension ThunkBuilder {
    func lowerFusion(_ inst: Instruction, kind: FusionKind, body: Graph, _ c: Context) throws {
        let name = "fusion." + kind.name
        let args = body.inputs.filter { if case .input(.argument) = $0.op { true } else { false } }
        guard args.count == inst.operands.count else {
            throw CPUCompileError("\(name) takes \(args.count) arguments, got \(inst.operands.count)")
        }
        guard body.outputs.count == inst.definitions.count else {
            throw CPUCompileError("\(name) body has \(body.outputs.count) outputs for \(inst.definitions.count) results")
        }
        guard body.inputs.count == args.count else {
            throw CPUCompileError("\(name) body declares inputs other than its arguments")
        }
        let first = steps.count
        defer { rename(from: first, op: name, layer: inst.layer ?? "") }
        switch kind {
        case .conv, .convInputGrad, .convFilterGrad:
            try lowerConvolution(inst, kind, c)
        case .matmulBias(let f):
            guard inst.operands.count == 3 else { throw CPUCompileError("\(name) takes (x, w, b)") }
            lowerMatmul(inst, false, false, bias: UnsafePointer(c.f(inst.operands[2])),
                        activation: f.map(Self.epilogue) ?? .linear, output: c.f(inst.result), c)
        case .loop:
            var env = bodyEnvironment(inst, body, args, c)
            let computed = try placeBody(body, &env, inst, c)
            let ctx = Context(env: env, types: body.types())
            // (A convert from i32 reads integers: that tree runs op by op.)
            let floatConverts = computed.allSatisfy { b in
                if case .convert = b.op { ctx.types[b.operands[0]]?.element == .f32 } else { true }
            }
            if Self.isLoopChain(computed, count: inst.type.elementCount), floatConverts,
               computed.last?.result == body.outputs[0].value {
                try lowerElementwise(computed, ctx, output: c.f(inst.result), op: name)
            } else {
                for b in computed { try lower(b, ctx) }
            }
        case .gradient(let producer, let f, let biasGradient):
            try lowerGradient(inst, producer, f, biasGradient: biasGradient, body, args, c)
        }
    }

    /// `<producer>_<act>_grad[_bias_grad]`: the body's producer ops writing the result, then the
    /// activation gradient `<act>_grad(dy, y)` (the last body op before the optional
    /// `bias_grad`) in place, one pass with the bias sums when the kind has them.
    private func lowerGradient(_ inst: Instruction, _ producer: GradientProducer, _ f: ActivationFunction,
                               biasGradient: Bool, _ body: Graph, _ args: [Instruction], _ c: Context) throws {
        let name = "fusion." + FusionKind.gradient(producer, f, biasGradient: biasGradient).name
        var env = bodyEnvironment(inst, body, args, c)
        let computed = try placeBody(body, &env, inst, c)
        let tail = biasGradient ? 2 : 1
        guard computed.count > tail, case .activationGrad(let g) = computed[computed.count - tail].op, g == f else {
            throw CPUCompileError("\(name) body does not end in \(f.rawValue)_grad")
        }
        let grad = computed[computed.count - tail]
        let producers = Array(computed.dropLast(tail))
        let out = c.f(inst.result)
        let y = env[grad.operands[1]]!.assumingMemoryBound(to: Float.self)
        let db = biasGradient ? c.f(inst.extraResults[0].value) : nil
        // A batch norm's input gradient with the activation gradient of the layer before (and
        // its bias sums): one pass writing dx (`lowerBatchNormInputGradient`).
        if producer == .batchNormGradInput, producers.count == 1, case .batchNormGradInput(let e) = producers[0].op,
           producers[0].result == grad.operands[0], let shape = body.type(of: producers[0].operands[1])?.shape {
            let p = producers[0].operands, channels = shape.last ?? 1
            func f32(_ v: ValueID) -> UnsafeMutablePointer<Float> { env[v]!.assumingMemoryBound(to: Float.self) }
            // dy may be a concat gradient's slice read in place (`ChannelViews.readsRows`).
            let dyStride = args.firstIndex { $0.result == p[0] }.flatMap { c.strides[inst.operands[$0]] }
            lowerBatchNormInputGradient(inst, op: name, epsilon: e, dy: f32(p[0]), x: f32(p[1]), gamma: f32(p[2]),
                                        rows: shape.reduce(1, *) / max(channels, 1), channels: channels, out: out,
                                        then: (f, y), biasGradient: db, dyStride: dyStride)
            return
        }
        guard inst.operands.allSatisfy({ c.strides[$0] == nil }) else {
            throw CPUCompileError("\(name) reads a channel view but its body is not one batch-norm input gradient")
        }
        // relu after a max pool, backward, with the bias sums: one pass from the forward pool's
        // winners (`MaxPoolKernels.backwardRelu`), when the pool's input is the relu's output.
        if let db, f == .relu, producer == .maxPoolGrad, producers.count == 1,
           case .maxPoolGrad(let p) = producers[0].op, producers[0].operands[0] == grad.operands[1],
           let shape = body.type(of: producers[0].operands[0])?.shape {
            let pg = Self.poolGeometry(shape, p)
            if MaxPoolKernels.applies(pg) {
                let dy = env[producers[0].operands[1]]!.assumingMemoryBound(to: Float.self)
                let sums = arena.doubles(pg.channels), codes = recordedWinners(of: UnsafeMutableRawPointer(y), pg)
                let channels = pg.channels
                add(inst, op: name) {
                    MaxPoolKernels.backwardRelu(pg, input: y, winners: codes, outputGradient: dy, inputGradient: out, biasSums: sums)
                    for k in 0..<channels { db[k] = Float(sums[k]) }
                }
                return
            }
        }
        // The producers write the gradient into the result's storage, then it is masked there.
        env[grad.operands[0]] = c.raw(inst.result)
        let ctx = Context(env: env, types: body.types())
        for b in producers { try lower(b, ctx) }
        if let db {
            emitActivationBiasGradient(f, dy: out, y: y, dx: out, db: db, count: inst.type.elementCount,
                                       channels: inst.extraResults[0].type.elementCount, at: inst)
        } else {
            let count = inst.type.elementCount, act = Self.epilogue(f)
            add(inst) { Epilogue.activationBackward(out, output: y, count: count, activation: act) }
        }
    }

    /// The body's arguments bound to the fusion's operands, its outputs to the fusion's results.
    private func bodyEnvironment(_ inst: Instruction, _ body: Graph, _ args: [Instruction], _ c: Context) -> Environment {
        var env: Environment = [:]
        for (arg, v) in zip(args, inst.operands) { env[arg.result] = c.raw(v) }
        for (out, d) in zip(body.outputs, inst.definitions) where env[out.value] == nil { env[out.value] = c.raw(d.value) }
        return env
    }

    /// Places the body's other values (constants filled now, reshapes as views, the rest
    /// private) and returns its computed instructions in order.
    private func placeBody(_ body: Graph, _ env: inout Environment, _ inst: Instruction, _ c: Context) throws -> [Instruction] {
        var computed: [Instruction] = []
        let outputs = Set(body.outputs.map(\.value))
        for b in body.instructions {
            if case .input = b.op { continue }
            if case .constant(let v) = b.op, !outputs.contains(b.result) {
                let p = arena.floats(b.type.elementCount)
                p.update(repeating: Float(v), count: b.type.elementCount)
                env[b.result] = UnsafeMutableRawPointer(p)
                continue
            }
            computed.append(b)
            if env[b.result] != nil { continue }
            if case .reshape = b.op, let source = env[b.operands[0]] {
                env[b.result] = source
            } else {
                env[b.result] = arena.allocate(bytes: b.type.elementCount * 4)
            }
        }
        return computed
    }

    /// Names the steps from `first` on as the fusion they implement.
    private func rename(from first: Int, op: String, layer: String) {
        for i in first..<steps.count {
            steps[i] = Step(run: steps[i].run, op: op, layer: layer, kernel: steps[i].kernel)
        }
    }
}
