import ConvnetIR
import ConvnetKernels

/// Kernel selection: the pass that decides, for one target (`TargetCapabilities`), what
/// kernel runs each convolution and which kernels write two values, and writes it into the IR
/// as typed decisions. Backends execute the plan and never re-derive it; the verifier checks it.
///
/// - Every convolution becomes a convolution fusion (`conv*`, `conv_input_grad*`,
///   `conv_filter_grad`; a bare op gets a one-op body) with `kernel=` (`Instruction.kernel`):
///   on float32 targets `winograd` for 3x3 stride-1 windows from and to at least 24 channels
///   (`DirectConv.winogradGains`), `direct` for the other stride-1 windows, `gemm` for 1x1 and
///   `im2col_gemm` for the rest; on the TPU `mxu_direct` (the bfloat16 direct kernels, equal to
///   im2col + MXU matmul) for stride-1 windows and `mxu_im2col` for the rest.
/// - Depthwise convolutions (forward and both gradients) stay bare ops with `kernel=depthwise`
///   (float32 targets) or `kernel=vpu_depthwise` (the TPU's vector unit).
/// - A max pool of a convolution fusion's result (windows `MaxPoolKernels` take) becomes the
///   fusion's second result, `fusion.conv_bias_relu_max_pool`: the convolution pools each band
///   of rows while it is in cache.
/// - The `bias_grad` of a fusion ending in an activation gradient becomes its second result
///   (`..._relu_grad_bias_grad`): one pass masks and sums. On float32 targets a
///   `conv_input_grad_relu_grad_bias_grad` on the direct or Winograd kernels does both inside
///   the convolution (`relu_backward=in_kernel`).
///
/// The extra results are defined where the fusion is, so buffer assignment keeps them apart
/// from everything the kernel reads while it writes them.
public enum KernelSelection {
    /// The pipeline step `kernels` for `target`.
    public static func pass(_ target: TargetCapabilities) -> Pass {
        Pass(name: "kernels") { run($0, target: target) }
    }

    /// The graph with every convolution planned for `target`.
    public static func run(_ graph: Graph, target: TargetCapabilities) -> Graph {
        var g = wrapConvolutions(graph)
        g = addSecondResults(g, target: target)
        let types = g.types()
        for i in g.instructions.indices where g.instructions[i].op.isDepthwiseConvolution {
            g.instructions[i].kernel = KernelPlan(convolution: depthwiseAlgorithm(target))
        }
        for i in g.instructions.indices {
            guard case .fusion(let kind, _) = g.instructions[i].op, kind.convolution != nil else { continue }
            let inst = g.instructions[i]
            let algorithm = self.algorithm(kind, operands: inst.operands.map { types[$0]! }, result: inst.type, target: target)
            var plan = KernelPlan(convolution: algorithm)
            if target.reluBackwardInKernel, case .convInputGrad(_, .relu, true) = kind,
               algorithm == .direct || algorithm == .winograd {
                plan.reluBackwardInKernel = true
            }
            g.instructions[i].kernel = plan
        }
        return g
    }

    /// The kernel geometry of a convolution fusion, from its operand and result types.
    public static func geometry(_ kind: FusionKind, operands t: [TensorType], result: TensorType) -> ConvGeometry? {
        let input: [Int], filters: Int, c: ConvAttributes
        switch kind {
        case .conv(let a, _, _, _): (input, filters, c) = (t[0].shape, t[1].shape[3], a)
        case .convInputGrad(let a, _, _): (input, filters, c) = (result.shape, t[0].shape[3], a)
        case .convFilterGrad(let a): (input, filters, c) = (t[0].shape, t[1].shape[3], a)
        case .matmulBias, .gradient, .loop: return nil
        }
        return ConvGeometry(batch: input[0], inHeight: input[1], inWidth: input[2], inChannels: input[3],
                            kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth, filters: filters,
                            stride: c.stride, padding: c.padding == .same ? .same : .valid)
    }

    /// The algorithm `target` runs a convolution fusion with: the one place these thresholds
    /// are decided.
    public static func algorithm(_ kind: FusionKind, operands: [TensorType], result: TensorType,
                                 target: TargetCapabilities) -> ConvAlgorithm? {
        guard let g = geometry(kind, operands: operands, result: result) else { return nil }
        switch target.convolutions {
        case .mxu:
            return DirectConv.takes(g) ? .mxuDirect : .mxuIm2col
        case .float32:
            guard DirectConv.takes(g) else { return g.isPointwise ? .gemm : .im2colGemm }
            let gains: Bool = switch kind {
            case .convInputGrad: DirectConv.winogradGains(inputGradient: g)
            case .conv, .convFilterGrad, .matmulBias, .gradient, .loop: DirectConv.winogradGains(forward: g)
            }
            return gains ? .winograd : .direct
        }
    }

    /// The algorithm `target` runs depthwise convolutions with (forward and both gradients):
    /// the channel-vectorised float32 loops, or on the TPU the vector unit (`vpu_depthwise`).
    public static func depthwiseAlgorithm(_ target: TargetCapabilities) -> ConvAlgorithm {
        switch target.convolutions {
        case .float32: .depthwise
        case .mxu: .vpuDepthwise
        }
    }

    /// Bare `conv2d`, `conv2d_input_grad` and `conv2d_filter_grad` as one-op fusions, so every
    /// convolution is an instruction a plan can be written on.
    static func wrapConvolutions(_ graph: Graph) -> Graph {
        let types = graph.types()
        var out = graph
        for i in out.instructions.indices {
            let inst = out.instructions[i]
            let kind: FusionKind
            if case .conv2d(let c) = inst.op {
                kind = .conv(c, bias: false, activation: nil, pool: nil)
            } else if case .conv2dInputGrad(let c) = inst.op {
                kind = .convInputGrad(c, activation: nil, biasGradient: false)
            } else if case .conv2dFilterGrad(let c) = inst.op {
                kind = .convFilterGrad(c)
            } else {
                continue
            }
            var body = Graph()
            var args: [ValueID] = []
            for (n, o) in inst.operands.enumerated() {
                args.append(body.input("arg\(n)", types[o]!, role: .argument))
            }
            let r = body.append(inst.op, args, inst.type, layer: inst.layer)
            body.outputs = [GraphOutput(name: "result", value: r)]
            out.instructions[i] = Instruction(result: inst.result, op: .fusion(kind: kind, body: body),
                                              operands: inst.operands, type: inst.type, layer: inst.layer)
        }
        return out
    }

    /// Max pools and bias gradients taken into the fusion whose result they read, as its second
    /// result, where `target` can.
    static func addSecondResults(_ graph: Graph, target: TargetCapabilities) -> Graph {
        let users = graph.users()
        var out = graph
        var removed = Set<Int>()
        for i in out.instructions.indices {
            guard case .fusion(let kind, var body) = out.instructions[i].op else { continue }
            let inst = out.instructions[i]
            let readers = (users[inst.result] ?? []).filter { !removed.contains($0) }
            let taken: (index: Int, kind: FusionKind)?
            switch kind {
            case .conv(let c, let bias, let f, nil) where target.poolInConvolution:
                taken = readers.lazy.compactMap { j -> (Int, FusionKind)? in
                    guard case .maxPool(let p) = graph.instructions[j].op, graph.instructions[j].operands == [inst.result],
                          PoolGeometry.winnerKernelsApply(size: p.size, stride: p.stride, padded: p.padding == .same) else { return nil }
                    return (j, .conv(c, bias: bias, activation: f, pool: p))
                }.first
            case .convInputGrad(let c, let f?, false) where target.biasGradientInEpilogue:
                taken = biasGradient(of: inst, readers, graph).map { ($0, .convInputGrad(c, activation: f, biasGradient: true)) }
            case .gradient(let p, let f, false) where target.biasGradientInEpilogue:
                taken = biasGradient(of: inst, readers, graph).map { ($0, .gradient(p, f, biasGradient: true)) }
            case .conv, .convInputGrad, .convFilterGrad, .matmulBias, .gradient, .loop:
                taken = nil
            }
            guard let (j, newKind) = taken else { continue }
            let second = graph.instructions[j]
            let first = body.outputs[0].value
            let v = body.append(second.op, [first], second.type, layer: second.layer)
            body.outputs.append(GraphOutput(name: second.op.mnemonic, value: v))
            out.instructions[i].op = .fusion(kind: newKind, body: body)
            out.instructions[i].extraResults = [ExtraResult(value: second.result, type: second.type)]
            removed.insert(j)
        }
        out.instructions = out.instructions.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return out
    }

    /// The `bias_grad` reading `inst`'s result, if there is one.
    private static func biasGradient(of inst: Instruction, _ readers: [Int], _ graph: Graph) -> Int? {
        readers.first { j in
            if case .biasGrad = graph.instructions[j].op { graph.instructions[j].operands == [inst.result] } else { false }
        }
    }
}
