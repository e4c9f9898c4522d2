import ConvnetIR
import ConvnetKernels
import ConvnetNativeRuntime

/// Emits a `fusion.<kind>` instruction from its `FusionKind` and the plan's kernel decisions
/// (the same dispatch as the CPU executor's `ThunkBuilder+Fusion`): a convolution becomes its
/// `ParallelConv` call with the planned algorithm, epilogue, pool or bias sums; a dense layer one
/// GEMM with a bias+activation epilogue; a backward fusion its producer writing the result, then
/// the activation gradient in place (and the bias gradient); an elementwise tree one loop.
struct FusionEmitter {
    let ops: OpEmitter

    /// `ParallelConv.Algorithm`'s spelling for a planned algorithm: the native target runs the
    /// CPU target's float32 kernels.
    static func algorithm(_ a: ConvAlgorithm, at name: String) throws -> String {
        switch a {
        case .direct: ".direct"
        case .winograd: ".winograd"
        case .im2colGemm, .gemm: ".banded"
        case .mxuDirect, .mxuIm2col:
            throw EmitError("\(name) kernel=\(a.rawValue) is planned for the TPU; the native target runs float32 kernels")
        case .depthwise, .vpuDepthwise:
            throw EmitError("\(name) kernel=\(a.rawValue) is a depthwise kernel, not an ordinary convolution's")
        }
    }

    /// Writes `inst` (a fusion) with its results at `outs` (the result, then the extra results).
    func emit(_ inst: Instruction, kind: FusionKind, body: Graph, outs: [String], into w: inout CodeWriter) throws {
        let fname = "fusion." + kind.name
        let args = body.inputs.filter { if case .input(.argument) = $0.op { true } else { false } }
        guard args.count == inst.operands.count, body.outputs.count == outs.count else {
            throw EmitError("\(fname) has a malformed body")
        }
        let out = outs[0]
        let computed = body.instructions.filter { if case .input = $0.op { false } else { true } }
        var names: [ValueID: String] = [:]
        var types: [ValueID: TensorType] = [:]
        for (arg, v) in zip(args, inst.operands) { names[arg.result] = ops.name(v) }
        for b in body.instructions { types[b.result] = b.type }
        var inner = OpEmitter(name: { names[$0] ?? "<\($0)>" }, type: { types[$0]! }, convs: ops.convs, side: ops.side)
        let a = inst.operands
        /// The top-level operand a body argument stands for.
        let operand = Dictionary(zip(args.map(\.result), a), uniquingKeysWith: { first, _ in first })
        inner.stride = { operand[$0].flatMap(ops.stride) }

        switch kind {
        case .conv(let attrs, let bias, let f, let pool):
            let conv = try register(inst, fname, geometry: OpEmitter.geometry(ops.shape(a[0]), filters: ops.shape(a[1])[3], attrs),
                                    filterGradient: false)
            let indent = String(repeating: " ", count: conv.count + 9)
            let act = f.map { ".\($0.rawValue)" } ?? ".linear"
            w.line("\(conv).forward(input: \(ops.name(a[0])), weights: \(ops.name(a[1])), bias: \(bias ? ops.name(a[2]) : "nil"),")
            guard let pool else {
                w.line("\(indent)activation: \(act), output: \(out))")
                return
            }
            let g = OpEmitter.pool(inst.type.shape, pool)
            let winners = ops.side.recordsWinners
                ? "arena.bytes(\(ops.side.recordWinners(input: out, geometry: g, count: inst.extraResults[0].type.elementCount)))" : "nil"
            w.line("\(indent)activation: \(act), output: \(out),")
            w.line("\(indent)thenMaxPool: .init(\(g),")
            w.line("\(indent)                   output: \(outs[1]), winners: \(winners)))")
        case .convInputGrad(let attrs, let f, let biasGradient):
            let channels = inst.type.shape[3]
            let conv = try register(inst, fname, geometry: OpEmitter.geometry(inst.type.shape, filters: ops.shape(a[0])[3], attrs),
                                    filterGradient: false)
            if inst.kernel?.reluBackwardInKernel == true {
                guard f == .relu, biasGradient else { throw EmitError("\(fname): relu_backward=in_kernel needs relu and the bias gradient") }
                // The relu backward and the bias sums in the direct kernels' epilogue.
                let sums = ops.side.reserveBiasSums(for: inst.result, channels: channels)
                w.line("\(conv).backwardInput(outputGradient: \(ops.name(a[0])), weights: \(ops.name(a[1])), inputGradient: \(out),")
                w.line("\(String(repeating: " ", count: conv.count))               reluOutput: \(ops.name(a[2])), biasSums: arena.doubles(\(sums)))")
                w.line("for k in 0..<\(channels) { \(outs[1])[k] = Float(arena.doubles(\(sums))[k]) }")
                return
            }
            w.line("\(conv).backwardInput(outputGradient: \(ops.name(a[0])), weights: \(ops.name(a[1])), inputGradient: \(out))")
            guard let f else {
                if biasGradient {
                    w.line("Epilogue.biasGradient(\(out), rows: \(inst.type.elementCount / channels), columns: \(channels), into: \(outs[1]))")
                }
                return
            }
            activationGradient(f, gradient: out, output: ops.name(a[2]), count: inst.type.elementCount,
                               biasGradient: biasGradient ? (outs[1], channels) : nil, into: &w)
        case .convFilterGrad(let attrs):
            let conv = try register(inst, fname, geometry: OpEmitter.geometry(ops.shape(a[0]), filters: ops.shape(a[1])[3], attrs),
                                    filterGradient: true)
            w.line("\(conv).backwardFilter(input: \(ops.name(a[0])), outputGradient: \(ops.name(a[1])), weightGradient: \(out))")
        case .matmulBias(let f):
            let s = ops.shape(a[0]), units = inst.type.shape[1]
            w.line("BLAS.gemm(m: \(s[0]), n: \(units), k: \(s[1]), a: \(ops.name(a[0])), b: \(ops.name(a[1])), c: \(out))")
            w.line("Epilogue.biasActivation(\(out), rows: \(s[0]), columns: \(units), bias: \(ops.name(a[2])), activation: \(f.map { ".\($0.rawValue)" } ?? ".linear"))")
        case .loop:
            guard ElementwiseEmitter.accepts(computed, count: inst.type.elementCount),
                  computed.last?.result == body.outputs[0].value else {
                throw EmitError("the native target cannot emit \(fname): its body is not one elementwise loop")
            }
            try ElementwiseEmitter(name: { names[$0]! }, type: { types[$0]! })
                .emit(computed, count: inst.type.elementCount, output: out, into: &w)
        case .gradient(let producer, let f, let biasGradient):
            let tail = biasGradient ? 2 : 1
            guard computed.count > tail, case .activationGrad(let g) = computed[computed.count - tail].op, g == f else {
                throw EmitError("\(fname) body does not end in \(f.rawValue)_grad")
            }
            let grad = computed[computed.count - tail]
            let producers = Array(computed.dropLast(tail))
            let y = names[grad.operands[1]]!
            let channels = inst.extraResults.first?.type.elementCount ?? 1
            // relu after a max pool, backward, with the bias sums: one pass from the forward's
            // winners (`MaxPoolKernels.backwardRelu`), when the pool's input is the relu's output.
            if biasGradient, f == .relu, producer == .maxPoolGrad, producers.count == 1,
               case .maxPoolGrad(let attrs) = producers[0].op, producers[0].operands[0] == grad.operands[1],
               OpEmitter.poolKernelsApply(attrs) {
                let p = producers[0]
                let g = OpEmitter.pool(types[p.operands[0]]!.shape, attrs)
                let sums = ops.side.reserveBiasSums(for: inst.result, channels: channels)
                w.line("MaxPoolKernels.backwardRelu(\(g), input: \(y)\(inner.winners(p.operands[0], g)),")
                w.line("                            outputGradient: \(names[p.operands[1]]!), inputGradient: \(out), biasSums: arena.doubles(\(sums)))")
                w.line("for k in 0..<\(channels) { \(outs[1])[k] = Float(arena.doubles(\(sums))[k]) }")
                return
            }
            guard producers.count == 1, let p = producers.first, p.result == grad.operands[0] else {
                throw EmitError("the native target cannot emit \(fname)")
            }
            // A batch norm's input gradient with the activation gradient of the layer before (and
            // its bias sums): one pass writing dx, from the layer's shared statistics and sums.
            if producer == .batchNormGradInput, case .batchNormGradInput(let e) = p.op,
               let dy = operand[p.operands[0]], let x = operand[p.operands[1]], let gamma = operand[p.operands[2]] {
                ops.batchNormInputGradient(dy: dy, x: x, gamma: gamma, epsilon: e, output: out, activation: (f, y),
                                           biasGradient: biasGradient ? outs[1] : nil, into: &w)
                return
            }
            guard a.allSatisfy({ ops.stride($0) == nil }) else {
                throw EmitError("\(fname) reads a channel view but its body is not one batch-norm input gradient")
            }
            names[p.result] = out
            try inner.emit(p, out: out, into: &w)
            activationGradient(f, gradient: out, output: y, count: inst.type.elementCount,
                               biasGradient: biasGradient ? (outs[1], channels) : nil, into: &w)
        }
    }

    /// The activation gradient in place on `gradient` (`count` floats), and with `biasGradient`
    /// its column sums into that result in the same pass, as the CPU executor's
    /// `emitActivationBiasGradient`: the same kernel, so the same summation order.
    private func activationGradient(_ f: ActivationFunction, gradient: String, output: String, count: Int,
                                    biasGradient: (name: String, channels: Int)?, into w: inout CodeWriter) {
        guard let (db, channels) = biasGradient else {
            w.line("Epilogue.activationBackward(\(gradient), output: \(output), count: \(count), activation: .\(f.rawValue))")
            return
        }
        w.line("Epilogue.activationBiasGradient(\(gradient), output: \(output), inputGradient: \(gradient),")
        w.line("                                rows: \(count / max(channels, 1)), channels: \(channels), activation: .\(f.rawValue), biasGradient: \(db))")
    }

    /// Registers the `ParallelConv` of a convolution fusion with its planned algorithm.
    private func register(_ inst: Instruction, _ fname: String, geometry: String, filterGradient: Bool) throws -> String {
        guard let planned = inst.kernel?.convolution else {
            throw EmitError("\(fname) has no kernel decision (the optimizer's kernel selection did not run)")
        }
        return ops.convs.add("conv\(inst.result.raw)", geometry: geometry, algorithm: try Self.algorithm(planned, at: fname),
                             filterGradient: filterGradient)
    }
}
