import ConvnetIR
import ConvnetKernels

/// Walks a graph once and turns each instruction into steps bound to raw pointers.
///
/// Every value has a place before any step is built: top-level values from the buffer plan,
/// fusion-body temporaries from private compile-time allocations. A step captures the
/// pointers of its operands and result, so `run()` is a loop over closures.
public final class ThunkBuilder {
    let arena: Arena
    let scratch = SharedScratch()
    let options: CPUCompiler
    var steps: [Step] = []
    /// Whether max-pool forward steps record winner codes (the graph has a max-pool backward).
    var recordsPoolWinners = false
    /// Winner codes recorded by a max-pool forward step, by the address of the pool's input.
    /// Sound because a backward op's input is the same value, alive (so unchanged) in between.
    var poolWinners: [UnsafeMutableRawPointer: (geometry: PoolGeometry, codes: UnsafeMutablePointer<UInt8>)] = [:]
    /// Batch moments a batch-norm step computes for the value at an address, which the later
    /// batch-norm steps of that value read instead of recomputing (`ThunkBuilder+Norm`). An
    /// entry is dropped whenever an instruction writes that address.
    var batchMoments: [MomentsKey: UnsafeMutablePointer<Double>] = [:]
    /// Batch norms' backward sums (sum dy, sum dy * xhat) by the addresses of dy and x, shared
    /// the same way by their input, gamma and beta gradients.
    var batchGradientSums: [GradientSumsKey: UnsafeMutablePointer<Double>] = [:]
    /// How many steps compute batch moments (the others read a record).
    var momentsPasses = 0

    init(arena: Arena, options: CPUCompiler) {
        self.arena = arena
        self.options = options
    }

    /// Places of values in the graph being lowered (raw: f32 and i32 values share the arena).
    typealias Environment = [ValueID: UnsafeMutableRawPointer]

    /// Lowers `graph` whose values are already placed in `env` (every instruction's results),
    /// one instruction at a time: every fusion and kernel decision is in the IR (the optimizer's
    /// kernel selection); nothing is matched or re-decided here.
    /// `strides` are the row strides of the plan's channel views (`BufferPlan.rowStride`).
    func lower(_ graph: Graph, env: Environment, strides: [ValueID: Int] = [:]) throws {
        let ctx = Context(env: env, types: graph.types(), strides: strides)
        for inst in graph.instructions { try lower(inst, ctx) }
    }

    /// Values' places and types for one graph (the top level or a fusion body).
    struct Context {
        let env: Environment
        let types: [ValueID: TensorType]
        /// Values stored as channel slices of another's buffer: floats between their rows
        /// (top level only; a fusion body's values are packed).
        var strides: [ValueID: Int] = [:]

        func raw(_ v: ValueID) -> UnsafeMutableRawPointer {
            guard let p = env[v] else { preconditionFailure("value \(v) has no storage") }
            return p
        }
        func f(_ v: ValueID) -> UnsafeMutablePointer<Float> { raw(v).assumingMemoryBound(to: Float.self) }
        func i32(_ v: ValueID) -> UnsafeMutablePointer<Int32> { raw(v).assumingMemoryBound(to: Int32.self) }
        func type(_ v: ValueID) -> TensorType { types[v]! }
        func shape(_ v: ValueID) -> [Int] { types[v]!.shape }
        func count(_ v: ValueID) -> Int { types[v]!.elementCount }
    }

    /// Appends a step for `inst`; `kernel` is the convolution algorithm it runs, if any.
    func add(_ inst: Instruction, op: String? = nil, kernel: ConvAlgorithm? = nil, _ run: @escaping () -> Void) {
        steps.append(Step(run: run, op: op ?? inst.op.mnemonic, layer: inst.layer ?? "", kernel: kernel))
    }

    /// One instruction.
    func lower(_ inst: Instruction, _ c: Context) throws {
        try checkViews(inst, c)
        // A value written here may sit where another's moments were recorded (before), and an
        // instruction may write over what it reads (after).
        forgetMoments(writtenBy: inst, c)
        defer { forgetMoments(writtenBy: inst, c) }
        let out = c.f(inst.result)
        let a = inst.operands
        let n = inst.type.elementCount
        switch inst.op {
        case .input:
            return  // written by the trainer in place
        case .constant(let v):
            let value = Float(v)
            add(inst) { out.update(repeating: value, count: n) }
        case .unary, .binary, .activation, .activationGrad, .biasAdd:
            try lowerElementwise([inst], c, output: out)
        case .convert:
            lowerConvert(inst, c)
        case .broadcast:
            let x = c.f(a[0])
            add(inst) { out.update(repeating: x[0], count: n) }
        case .reduceSum:
            let x = c.f(a[0]), total = c.count(a[0])
            add(inst) { out[0] = Parallel.sum(x, count: total) }
        case .reshape:
            let x = c.f(a[0])
            if x != out { add(inst) { out.update(from: x, count: n) } }
        case .conv2d, .conv2dInputGrad, .conv2dFilterGrad, .im2col, .col2im, .matmul:
            try lowerLinear(inst, c)
        case .maxPool, .avgPool, .maxPoolGrad, .avgPoolGrad, .spatialMean, .spatialMeanGrad:
            lowerPool(inst, c)
        case .dropout(let d), .dropoutGrad(let d):
            lowerDropout(inst, d, c)
        case .batchNormTraining, .batchNormInference, .batchMean, .batchVariance,
             .batchNormGradInput, .batchNormGradGamma:
            lowerNorm(inst, c)
        case .biasGrad:
            let dy = c.f(a[0]), channels = n, rows = c.count(a[0]) / max(channels, 1), stride = c.strides[a[0]]
            if let sums = recordedGradientSum(of: dy, rows: rows, channels: channels) {
                // A batch norm's beta: its backward pass summed dy already (`gradientSums`).
                add(inst) { for k in 0..<channels { out[k] = Float(sums[k]) } }
            } else {
                add(inst) { Epilogue.biasGradient(dy, rows: rows, columns: channels, into: out, rowStride: stride) }
            }
        case .softmax, .softmaxGrad, .softmaxCrossEntropy, .softmaxCrossEntropyGrad, .correctCount:
            lowerLoss(inst, c)
        case .fusion(let kind, let body):
            try lowerFusion(inst, kind: kind, body: body, c)
        case .custom(let name):
            throw CPUCompileError("the CPU backend has no kernel for custom op '\(name)'"
                                  + (inst.layer.map { " (layer \($0))" } ?? ""))
        case .depthwiseConv2d(let attrs):
            try lowerDepthwiseForward(inst, attrs, c)
        case .depthwiseConv2dInputGrad(let attrs):
            try lowerDepthwiseInputGrad(inst, attrs, c)
        case .depthwiseConv2dFilterGrad(let attrs):
            try lowerDepthwiseFilterGrad(inst, attrs, c)
        case .concat:
            lowerConcat(inst, c)
        case .channelSlice(let start, let count):
            lowerChannelSlice(inst, start: start, count: count, c)
        }
    }

    /// `convert`: f32 <-> i32 (toward zero), or a copy.
    private func lowerConvert(_ inst: Instruction, _ c: Context) {
        let x = inst.operands[0], n = inst.type.elementCount
        switch (c.type(x).element, inst.type.element) {
        case (.f32, .i32):
            let src = c.f(x), dst = c.i32(inst.result)
            add(inst) { for i in 0..<n { dst[i] = Int32(src[i].rounded(.towardZero)) } }
        case (.i32, .f32):
            let src = c.i32(x), dst = c.f(inst.result)
            add(inst) { for i in 0..<n { dst[i] = Float(src[i]) } }
        default:
            let src = c.raw(x), dst = c.raw(inst.result)
            if src != dst { add(inst) { dst.copyMemory(from: src, byteCount: n * 4) } }
        }
    }
}
