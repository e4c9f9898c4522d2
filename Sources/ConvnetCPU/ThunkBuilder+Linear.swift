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

    /// A convolution split by images over the cores, its scratch reserved, running `algorithm`.
    func parallelConv(_ g: ConvGeometry, _ algorithm: ParallelConv.Algorithm, filterGradient: Bool) -> ParallelConv {
        ParallelConv(g, algorithm: algorithm, budget: options.convScratchFloats, scratch: scratch, arena: arena,
                     filterGradient: filterGradient, engine: options.engine)
    }

    func lowerLinear(_ inst: Instruction, _ c: Context) throws {
        let a = inst.operands
        let out = c.f(inst.result)
        guard case .linear(let op) = inst.op.family else { throw CPUCompileError("\(inst.op.mnemonic) is not a linear op") }
        switch op {
        // A convolution the optimizer did not plan (a program compiled without the pipeline):
        // bands of im2col rows, which compute any window. Planned programs have none.
        case .conv2d(let attrs):
            try lowerConv(inst, attrs, bias: nil, activation: .linear, output: out, c)
        case .conv2dInputGrad(let attrs):
            let dy = c.f(a[0]), w = c.f(a[1])
            let g = Self.geometry(input: inst.type.shape, filters: c.shape(a[1])[3], attrs)
            let conv = parallelConv(g, .banded, filterGradient: false)
            add(inst) { conv.backwardInput(outputGradient: dy, weights: w, inputGradient: out) }
        case .conv2dFilterGrad(let attrs):
            let x = c.f(a[0]), dy = c.f(a[1])
            let g = Self.geometry(input: c.shape(a[0]), filters: c.shape(a[1])[3], attrs)
            let conv = parallelConv(g, .banded, filterGradient: true)
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
        }
    }

    /// An unplanned `conv2d`, banded (see `lowerLinear`).
    func lowerConv(_ inst: Instruction, _ attrs: ConvAttributes, bias: UnsafePointer<Float>?,
                   activation: EpilogueActivation, output: UnsafeMutablePointer<Float>, _ c: Context) throws {
        let x = c.f(inst.operands[0]), w = c.f(inst.operands[1])
        let g = Self.geometry(input: c.shape(inst.operands[0]), filters: c.shape(inst.operands[1])[3], attrs)
        let conv = parallelConv(g, .banded, filterGradient: false)
        let (out, finish) = target(output, g.outputCount, reads: [(x, c.count(inst.operands[0])), (w, c.count(inst.operands[1]))])
        add(inst) {
            conv.forward(input: x, weights: w, bias: bias, activation: activation, output: out)
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
}
