import ConvnetIR
import ConvnetKernels
import ConvnetNativeRuntime

/// Emits a `fusion.<kind>` instruction by recognising its body (see `Pipeline`'s contract):
/// a conv or dense layer becomes one chunked GEMM call with a bias+activation epilogue, a
/// backward fusion becomes its producer writing the result followed by the activation
/// gradient applied in place, and an elementwise tree becomes one specialised loop.
struct FusionEmitter {
    let ops: OpEmitter

    /// The epilogue activation a body ends with (`.linear` when it ends in `bias_add`).
    static func activation(_ op: Op) -> String? {
        switch op {
        case .activation(let f), .activationGrad(let f): ".\(f.rawValue)"
        case .biasAdd: ".linear"
        default: nil
        }
    }

    /// Whether a generated program's `ParallelConv` for this input gradient runs on the direct
    /// kernels, which can fuse the relu backward (`ParallelConv.fusesReluBackward`): the
    /// generated code uses the default `BLASEngine`, whose direct convolutions are float32, for
    /// every stride-1 convolution with a window.
    static func directKernelsFuseRelu(_ x: [Int], filters: Int, _ a: ConvAttributes) -> Bool {
        let g = ConvGeometry(batch: x[0], inHeight: x[1], inWidth: x[2], inChannels: x[3], kernelHeight: a.kernelHeight,
                             kernelWidth: a.kernelWidth, filters: filters, stride: a.stride,
                             padding: a.padding == .same ? .same : .valid)
        return DirectConv.supports(g) && !g.isPointwise
    }

    /// Writes `inst` (a fusion) with its result at `out`. `pool` is the max pool of the result
    /// that the next instruction computes, when a convolution may run it (see
    /// `ParallelConv.forward(thenMaxPool:)`); returns whether it did.
    @discardableResult
    func emit(_ inst: Instruction, kind: String, body: Graph, out: String,
              thenMaxPool pool: (instruction: Instruction, output: String)? = nil, into w: inout CodeWriter) throws -> Bool {
        let args = body.inputs.filter { if case .input(.argument) = $0.op { true } else { false } }
        guard args.count == inst.operands.count, let result = body.outputs.first?.value else {
            throw EmitError("fusion.\(kind) has a malformed body")
        }
        let computed = body.instructions.filter { if case .input = $0.op { false } else { true } }
        var names: [ValueID: String] = [:]
        var types: [ValueID: TensorType] = [:]
        for (arg, v) in zip(args, inst.operands) { names[arg.result] = ops.name(v) }
        for b in body.instructions { types[b.result] = b.type }
        let inner = OpEmitter(name: { names[$0] ?? "<\($0)>" }, type: { types[$0]! }, convs: ops.convs, side: ops.side)
        let x = ops.name(inst.operands[0])

        // conv + bias (+ activation): Conv2D.forward with the epilogue, im2col in chunks.
        if kind.hasPrefix("conv_bias"), let im2col = computed.first(where: { if case .im2col = $0.op { true } else { false } }),
           case .im2col(let attrs) = im2col.op, let last = computed.last, let act = Self.activation(last.op) {
            let xs = ops.shape(inst.operands[0]), filters = inst.type.shape[3]
            let conv = ops.convs.add("conv\(inst.result.raw)", geometry: OpEmitter.geometry(xs, filters: filters, attrs),
                                     filterGradient: false)
            let indent = String(repeating: " ", count: conv.count + 9)
            w.line("\(conv).forward(input: \(x), weights: \(ops.name(inst.operands[1])), bias: \(ops.name(inst.operands[2])),")
            guard let pool, case .maxPool(let p) = pool.instruction.op else {
                w.line("\(indent)activation: \(act), output: \(out))")
                return false
            }
            let g = OpEmitter.pool(inst.type.shape, p)
            let winners = ops.side.recordsWinners
                ? "arena.bytes(\(ops.side.recordWinners(input: out, geometry: g, count: pool.instruction.type.elementCount)))" : "nil"
            w.line("\(indent)activation: \(act), output: \(out),")
            w.line("\(indent)thenMaxPool: .init(\(g),")
            w.line("\(indent)                   output: \(pool.output), winners: \(winners)))")
            return true
        }
        // dense: one GEMM, then bias + activation in place.
        if kind.hasPrefix("matmul_bias"), let mm = computed.first, case .matmul(false, false) = mm.op,
           let last = computed.last, let act = Self.activation(last.op) {
            let s = ops.shape(inst.operands[0]), units = inst.type.shape[1]
            w.line("BLAS.gemm(m: \(s[0]), n: \(units), k: \(s[1]), a: \(x), b: \(ops.name(inst.operands[1])), c: \(out))")
            w.line("Epilogue.biasActivation(\(out), rows: \(s[0]), columns: \(units), bias: \(ops.name(inst.operands[2])), activation: \(act))")
            return false
        }
        // An elementwise tree: one loop.
        if ElementwiseEmitter.accepts(computed, count: inst.type.elementCount), computed.last?.result == result {
            try ElementwiseEmitter(name: { names[$0]! }, type: { types[$0]! })
                .emit(computed, count: inst.type.elementCount, output: out, into: &w)
            return false
        }
        // <producer>_<act>_grad: the producer writes the result, the gradient is masked in place.
        if kind.hasSuffix("_grad"), let last = computed.last, last.result == result,
           case .activationGrad(let f) = last.op, last.operands.count == 2,
           let y = names[last.operands[1]] {
            let producers = Array(computed.dropLast())
            // relu -> max pool, backward: one pass from the forward's winners, summing the
            // channels for the bias gradient that follows (`MaxPoolKernels.backwardRelu`).
            if f == .relu, producers.count == 1, let p = producers.first, case .maxPoolGrad(let attrs) = p.op,
               p.result == last.operands[0], OpEmitter.poolKernelsApply(attrs), names[p.operands[0]] == y {
                let g = OpEmitter.pool(types[p.operands[0]]!.shape, attrs)
                let sums = ops.side.reserveBiasSums(for: inst.result, channels: inst.type.shape.last ?? 1)
                w.line("MaxPoolKernels.backwardRelu(\(g), input: \(y)\(inner.winners(p.operands[0], g)),")
                w.line("                            outputGradient: \(names[p.operands[1]]!), inputGradient: \(out), biasSums: arena.doubles(\(sums)))")
                return false
            }
            if let col2im = producers.last, case .col2im(let attrs) = col2im.op {
                let dy = inst.operands[0], wts = inst.operands[1]
                let conv = ops.convs.add("conv\(inst.result.raw)",
                                         geometry: OpEmitter.geometry(inst.type.shape, filters: ops.shape(dy)[3], attrs),
                                         filterGradient: false)
                if f == .relu, Self.directKernelsFuseRelu(inst.type.shape, filters: ops.shape(dy)[3], attrs) {
                    // The relu backward and the bias sums in the direct kernels' epilogue.
                    let sums = ops.side.reserveBiasSums(for: inst.result, channels: inst.type.shape[3])
                    w.line("\(conv).backwardInput(outputGradient: \(ops.name(dy)), weights: \(ops.name(wts)), inputGradient: \(out),")
                    w.line("\(String(repeating: " ", count: conv.count))               reluOutput: \(y), biasSums: arena.doubles(\(sums)))")
                    return false
                }
                w.line("\(conv).backwardInput(outputGradient: \(ops.name(dy)), weights: \(ops.name(wts)), inputGradient: \(out))")
            } else if producers.count == 1, let p = producers.first, p.result == last.operands[0] {
                names[p.result] = out
                try inner.emit(p, out: out, into: &w)
            } else {
                throw EmitError("the native target cannot emit fusion.\(kind)")
            }
            w.line("Epilogue.activationBackward(\(out), output: \(y), count: \(inst.type.elementCount), activation: .\(f.rawValue))")
            return false
        }
        throw EmitError("the native target cannot emit fusion.\(kind)" + (inst.layer.map { " (layer \($0))" } ?? ""))
    }
}
