import ConvnetIR
import ConvnetKernels
import ConvnetOptimizer

/// The ops of branching models: depthwise convolutions on `DepthwiseConv`'s channel-vectorised
/// kernels, as kernel selection planned them (`kernel=depthwise`, or `vpu_depthwise` on the TPU,
/// whose vector unit computes in float32 like these loops), and concat / channel slice: nothing
/// to do for an operand or slice the plan placed as a channel view of the concat's (or the
/// gradient's) buffer (`ChannelViews`), else copies of each row's channel runs.
extension ThunkBuilder {
    /// A plan whose channel view reaches an op without a row stride is refused before a step
    /// is built (`ChannelViews.misuse`).
    func checkViews(_ inst: Instruction, _ c: Context) throws {
        guard !c.strides.isEmpty else { return }
        if let why = ChannelViews.misuse(in: inst, isView: { c.strides[$0] != nil }) { throw CPUCompileError(why) }
    }

    /// The planned depthwise algorithm of `inst`, checked to be one (never re-decided here).
    /// A program compiled without the pipeline has none and runs the one depthwise kernel,
    /// as an unplanned `conv2d` runs the banded kernels that compute any window.
    private func depthwisePlan(_ inst: Instruction) throws -> ConvAlgorithm? {
        guard let algorithm = inst.kernel?.convolution else { return nil }
        guard algorithm.isDepthwise else {
            throw CPUCompileError("\(inst.op.mnemonic) kernel=\(algorithm.rawValue) cannot compute a depthwise convolution")
        }
        return algorithm
    }

    /// x (B,H,W,C), w (KH,KW,C,M) -> y (B,OH,OW,C*M)
    func lowerDepthwiseForward(_ inst: Instruction, _ attrs: ConvAttributes, _ c: Context) throws {
        let algorithm = try depthwisePlan(inst)
        let a = inst.operands, out = c.f(inst.result)
        let g = Self.depthwiseGeometry(input: c.shape(a[0]), multiplier: c.shape(a[1])[3], attrs)
        let x = c.f(a[0]), w = c.f(a[1])
        add(inst, kernel: algorithm) { DepthwiseConv.forward(g, input: x, weights: w, output: out) }
    }

    /// dy (B,OH,OW,C*M), w (KH,KW,C,M) -> dx (B,H,W,C)
    func lowerDepthwiseInputGrad(_ inst: Instruction, _ attrs: ConvAttributes, _ c: Context) throws {
        let algorithm = try depthwisePlan(inst)
        let a = inst.operands, out = c.f(inst.result)
        let g = Self.depthwiseGeometry(input: inst.type.shape, multiplier: c.shape(a[1])[3], attrs)
        let dy = c.f(a[0]), w = c.f(a[1])
        add(inst, kernel: algorithm) { DepthwiseConv.backwardInput(g, outputGradient: dy, weights: w, inputGradient: out) }
    }

    /// x (B,H,W,C), dy (B,OH,OW,C*M) -> dw (KH,KW,C,M)
    func lowerDepthwiseFilterGrad(_ inst: Instruction, _ attrs: ConvAttributes, _ c: Context) throws {
        let algorithm = try depthwisePlan(inst)
        let a = inst.operands, out = c.f(inst.result)
        let g = Self.depthwiseGeometry(input: c.shape(a[0]), multiplier: inst.type.shape[3], attrs)
        let x = c.f(a[0]), dy = c.f(a[1])
        add(inst, kernel: algorithm) { DepthwiseConv.backwardFilter(g, input: x, outputGradient: dy, weightGradient: out) }
    }

    /// (..., C1), (..., C2), ... -> (..., C1+C2+...): each operand's channels into its run of
    /// every output row, except the operands already there (written in place as channel views).
    func lowerConcat(_ inst: Instruction, _ c: Context) {
        let out = c.f(inst.result), channels = inst.type.shape.last ?? 1
        let rows = inst.type.elementCount / max(channels, 1)
        var parts: [(pointer: UnsafeMutablePointer<Float>, channels: Int, offset: Int)] = []
        var offset = 0
        for v in inst.operands {
            let k = c.shape(v).last ?? 1
            let inPlace = c.strides[v] == channels && c.f(v) == out + offset
            precondition(inPlace || c.strides[v] == nil, "concat operand \(v) is a view of another buffer")
            if !inPlace { parts.append((c.f(v), k, offset)) }
            offset += k
        }
        if parts.isEmpty { return }
        add(inst) {
            Parallel.forRanges(rows, grain: max(1, 4096 / max(channels, 1))) { range in
                for r in range {
                    for p in parts { (out + r * channels + p.offset).update(from: p.pointer + r * p.channels, count: p.channels) }
                }
            }
        }
    }

    /// x (..., C) -> (..., count): channels start ..< start+count of every row (nothing to do for
    /// a slice placed as a view of x, which its readers read in place).
    func lowerChannelSlice(_ inst: Instruction, start: Int, count: Int, _ c: Context) {
        let out = c.f(inst.result), x = c.f(inst.operands[0])
        let width = c.shape(inst.operands[0]).last ?? 1, rows = inst.type.elementCount / max(count, 1)
        if c.strides[inst.result] == width && out == x + start { return }
        precondition(c.strides[inst.result] == nil, "channel_slice \(inst.result) is a view of another buffer")
        add(inst) {
            Parallel.forRanges(rows, grain: max(1, 4096 / max(count, 1))) { range in
                for r in range { (out + r * count).update(from: x + r * width + start, count: count) }
            }
        }
    }

    /// The kernels' geometry for input `x` (B,H,W,C) and `multiplier` filters per channel.
    static func depthwiseGeometry(input x: [Int], multiplier: Int, _ a: ConvAttributes) -> DepthwiseGeometry {
        DepthwiseGeometry(batch: x[0], inHeight: x[1], inWidth: x[2], inChannels: x[3],
                          kernelHeight: a.kernelHeight, kernelWidth: a.kernelWidth, multiplier: multiplier,
                          stride: a.stride, padding: a.padding == .same ? .same : .valid)
    }
}
