import ConvnetIR
import ConvnetKernels

/// Convolution fusions, run as the optimizer planned them: the `kernel=` of the instruction
/// picks `ParallelConv`'s algorithm, a `_max_pool` kind pools inside the convolution's bands, a
/// `_bias_grad` kind sums the bias gradient in the same pass, and `relu_backward=in_kernel`
/// puts the relu backward and those sums inside the direct input-gradient kernels. The plan is
/// checked against this executor's engine (a plan made for another target is an error), never
/// re-decided.
extension ThunkBuilder {
    func lowerConvolution(_ inst: Instruction, _ kind: FusionKind, _ c: Context) throws {
        let name = "fusion." + kind.name
        guard let algorithm = inst.kernel?.convolution else {
            throw CPUCompileError("\(name) has no kernel decision (the optimizer's kernel selection did not run)")
        }
        let banded = try Self.algorithm(algorithm, engine: options.engine, at: name)
        let a = inst.operands
        let out = c.f(inst.result)
        switch kind {
        case .conv(let attrs, let bias, let f, let pool):
            let g = Self.geometry(input: c.shape(a[0]), filters: c.shape(a[1])[3], attrs)
            let conv = parallelConv(g, banded, filterGradient: false)
            let x = c.f(a[0]), w = c.f(a[1]), b = bias ? UnsafePointer(c.f(a[2])) : nil
            let following = pool.map { p -> ParallelConv.FollowingMaxPool in
                let pg = Self.poolGeometry(inst.type.shape, p)
                let codes = recordsPoolWinners ? recordWinners(of: out, pg) : nil
                return ParallelConv.FollowingMaxPool(pg, output: c.f(inst.extraResults[0].value), winners: codes)
            }
            let activation = f.map(Self.epilogue) ?? .linear
            add(inst, kernel: algorithm) {
                conv.forward(input: x, weights: w, bias: b, activation: activation, output: out, thenMaxPool: following)
            }
        case .convInputGrad(let attrs, let f, let biasGradient):
            let g = Self.geometry(input: inst.type.shape, filters: c.shape(a[0])[3], attrs)
            let conv = parallelConv(g, banded, filterGradient: false)
            let dy = c.f(a[0]), w = c.f(a[1])
            let db = biasGradient ? c.f(inst.extraResults[0].value) : nil
            if inst.kernel?.reluBackwardInKernel == true {
                guard f == .relu, let db, conv.fusesReluBackward else {
                    throw CPUCompileError("\(name): relu_backward=in_kernel needs float32 direct kernels and the bias gradient")
                }
                let y = c.f(a[2]), sums = arena.doubles(g.inChannels), channels = g.inChannels
                add(inst, kernel: algorithm) {
                    conv.backwardInput(outputGradient: dy, weights: w, inputGradient: out, reluOutput: y, biasSums: sums)
                    for k in 0..<channels { db[k] = Float(sums[k]) }
                }
                return
            }
            add(inst, kernel: algorithm) { conv.backwardInput(outputGradient: dy, weights: w, inputGradient: out) }
            guard let f else { return }
            let y = c.f(a[2]), count = inst.type.elementCount
            if let db {
                emitActivationBiasGradient(f, dy: out, y: y, dx: out, db: db, count: count, channels: g.inChannels, at: inst)
            } else {
                let act = Self.epilogue(f)
                add(inst) { Epilogue.activationBackward(out, output: y, count: count, activation: act) }
            }
        case .convFilterGrad(let attrs):
            let g = Self.geometry(input: c.shape(a[0]), filters: c.shape(a[1])[3], attrs)
            let conv = parallelConv(g, banded, filterGradient: true)
            let x = c.f(a[0]), dy = c.f(a[1])
            add(inst, kernel: algorithm) { conv.backwardFilter(input: x, outputGradient: dy, weightGradient: out) }
        case .matmulBias, .gradient, .loop:
            throw CPUCompileError("\(name) is not a convolution")
        }
    }

    /// `ParallelConv`'s algorithm for the plan's, on `engine`: float32 algorithms need the
    /// float32 direct kernels (the CPU target), MXU ones the bfloat16 engine (the TPU target).
    static func algorithm(_ a: ConvAlgorithm, engine: any MatmulEngine, at name: String) throws -> ParallelConv.Algorithm {
        let (wanted, algorithm): (DirectConv.Numerics, ParallelConv.Algorithm) = switch a {
        case .direct: (.float32, .direct)
        case .winograd: (.float32, .winograd)
        case .im2colGemm, .gemm: (.float32, .banded)
        case .mxuDirect: (.bfloat16, .direct)
        case .mxuIm2col: (.bfloat16, .banded)
        case .depthwise, .vpuDepthwise:
            throw CPUCompileError("\(name) kernel=\(a.rawValue) is a depthwise kernel, not an ordinary convolution's")
        }
        guard engine.directConvolutions == wanted || (algorithm == .banded && engine.directConvolutions == nil) else {
            throw CPUCompileError("\(name) kernel=\(a.rawValue) was planned for another target than this executor's engine"
                                  + " (optimize the program with the pipeline of the target that runs it)")
        }
        return algorithm
    }
}
