import ConvnetIR
import ConvnetKernels
import ConvnetSyntax

/// Convolutions, their gradients, im2col/col2im and matrix products: the GEMM-shaped ops,
/// on `Conv2D` with chunked scratch (never the whole batch's im2col matrix) and `BLAS`.
extension ThunkBuilder {
    /// The kernels' geometry of a convolution with input (B,H,W,Cin) and F filters.
    static func geometry(input x: [Int], filters: Int, _ a: ConvAttributes) -> ConvGeometry {
        ConvGeometry(batch: x[0], inHeight: x[1], inWidth: x[2], inChannels: x[3],
                     kernelHeight: a.kernelHeight, kernelWidth: a.kernelWidth, filters: filters,
                     stride: a.stride, padding: a.padding == .same ? .same : .valid)
    }

    /// A convolution split by images over the cores, its scratch reserved.
    func parallelConv(_ g: ConvGeometry, filterGradient: Bool) -> ParallelConv {
        ParallelConv(g, budget: options.convScratchFloats, scratch: scratch, arena: arena, filterGradient: filterGradient,
                     engine: options.engine)
    }

    func lowerLinear(_ inst: Instruction, _ c: Context) throws {
        let a = inst.operands
        let out = c.f(inst.result)
        switch inst.op {
        case .conv2d(let attrs):
            try lowerConv(inst, attrs, bias: nil, activation: .linear, output: out, c)
        case .conv2dInputGrad(let attrs):
            let dy = c.f(a[0]), w = c.f(a[1])
            let g = Self.geometry(input: inst.type.shape, filters: c.shape(a[1])[3], attrs)
            let conv = parallelConv(g, filterGradient: false)
            add(inst) { conv.backwardInput(outputGradient: dy, weights: w, inputGradient: out) }
        case .conv2dFilterGrad(let attrs):
            let x = c.f(a[0]), dy = c.f(a[1])
            let g = Self.geometry(input: c.shape(a[0]), filters: c.shape(a[1])[3], attrs)
            let conv = parallelConv(g, filterGradient: true)
            add(inst) { conv.backwardFilter(input: x, outputGradient: dy, weightGradient: out) }
        case .im2col(let attrs):
            let x = c.f(a[0])
            let g = Self.geometry(input: c.shape(a[0]), filters: 1, attrs)
            add(inst) { Im2col.im2col(g, input: x, images: 0..<g.batch, columns: out) }
        case .col2im(let attrs):
            let cols = c.f(a[0])
            let g = Self.geometry(input: inst.type.shape, filters: 1, attrs)
            add(inst) { Im2col.col2im(g, columns: cols, images: 0..<g.batch, inputGradient: out) }
        case .matmul(let ta, let tb):
            lowerMatmul(inst, ta, tb, bias: nil, activation: .linear, output: out, c)
        default:
            throw CPUCompileError("\(inst.op.mnemonic) is not a linear op")
        }
    }

    /// `conv2d` with an optional fused bias + activation epilogue, writing `output`.
    func lowerConv(_ inst: Instruction, _ attrs: ConvAttributes, bias: UnsafePointer<Float>?,
                   activation: EpilogueActivation, output: UnsafeMutablePointer<Float>, _ c: Context,
                   op: String? = nil, layer: Instruction? = nil) throws {
        let x = c.f(inst.operands[0]), w = c.f(inst.operands[1])
        let g = Self.geometry(input: c.shape(inst.operands[0]), filters: c.shape(inst.operands[1])[3], attrs)
        let conv = parallelConv(g, filterGradient: false)
        var reads = [(x, c.count(inst.operands[0])), (w, c.count(inst.operands[1]))]
        if let bias { reads.append((UnsafeMutablePointer(mutating: bias), g.filters)) }
        let (out, finish) = target(output, g.outputCount, reads: reads)
        let pool = takePool(writing: output)
        add(layer ?? inst, op: op) {
            conv.forward(input: x, weights: w, bias: bias, activation: activation, output: out, thenMaxPool: pool)
            finish()
        }
    }

    /// `matmul` with an optional fused bias + activation epilogue, writing `output`.
    func lowerMatmul(_ inst: Instruction, _ ta: Bool, _ tb: Bool, bias: UnsafePointer<Float>?,
                     activation: EpilogueActivation, output: UnsafeMutablePointer<Float>, _ c: Context,
                     op: String? = nil, layer: Instruction? = nil) {
        let sa = c.shape(inst.operands[0]), sb = c.shape(inst.operands[1])
        let a = c.f(inst.operands[0]), b = c.f(inst.operands[1])
        let (m, k) = ta ? (sa[1], sa[0]) : (sa[0], sa[1])
        let n = tb ? sb[0] : sb[1]
        var reads = [(a, c.count(inst.operands[0])), (b, c.count(inst.operands[1]))]
        if let bias { reads.append((UnsafeMutablePointer(mutating: bias), n)) }
        let (out, finish) = target(output, m * n, reads: reads)
        let engine = options.engine
        add(layer ?? inst, op: op) {
            engine.gemm(m: m, n: n, k: k, a: a, transposeA: ta, b: b, transposeB: tb, c: out)
            Epilogue.biasActivation(out, rows: m, columns: n, bias: bias, activation: activation)
            finish()
        }
    }

    /// The kernels' epilogue for an IR activation.
    static func epilogue(_ f: ActivationFunction) -> EpilogueActivation {
        switch f {
        case .relu: .relu
        case .sigmoid: .sigmoid
        case .tanh: .tanh
        }
    }

    /// At `i`, a `conv2d` or `matmul` immediately followed by the `bias_add` that is its only
    /// use (and optionally the activation that is the bias_add's only use) runs as one kernel
    /// call with the fused epilogue, writing the last value's buffer. Only adjacent
    /// instructions are fused, so no value's lifetime changes. Returns how many instructions
    /// were consumed, or nil when the pattern does not apply.
    func fuseEpilogue(_ insts: [Instruction], at i: Int, uses: [ValueID: Int], outputs: Set<ValueID>,
                      _ c: Context) throws -> Int? {
        let first = insts[i]
        switch first.op {
        case .conv2d, .matmul: break
        default: return nil
        }
        guard i + 1 < insts.count, case .biasAdd = insts[i + 1].op,
              insts[i + 1].operands[0] == first.result, insts[i + 1].operands[1] != first.result,
              uses[first.result] == 1, !outputs.contains(first.result),
              c.type(insts[i + 1].operands[1]).rank == 1 else { return nil }
        let biasInst = insts[i + 1]
        var last = biasInst
        var activation = EpilogueActivation.linear
        if i + 2 < insts.count, case .activation(let f) = insts[i + 2].op,
           insts[i + 2].operands[0] == biasInst.result, uses[biasInst.result] == 1,
           !outputs.contains(biasInst.result) {
            last = insts[i + 2]
            activation = Self.epilogue(f)
        }
        let bias = UnsafePointer(c.f(biasInst.operands[1]))
        let output = c.f(last.result)
        let name = ([first, biasInst] + (last.result == biasInst.result ? [] : [last]))
            .map(\.op.mnemonic).joined(separator: "+")
        switch first.op {
        case .conv2d(let attrs):
            try lowerConv(first, attrs, bias: bias, activation: activation, output: output, c, op: name)
        case .matmul(let ta, let tb):
            lowerMatmul(first, ta, tb, bias: bias, activation: activation, output: output, c, op: name)
        default: return nil
        }
        return last.result == biasInst.result ? 2 : 3
    }
}
