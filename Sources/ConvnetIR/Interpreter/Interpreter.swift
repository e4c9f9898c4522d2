/// Why the interpreter could not run a graph.
public struct InterpreterError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Executes any graph with the plain loops of `ReferenceKernels`: the ground truth for every
/// backend. Generic over the scalar type so gradient tests can run in `Double`.
///
/// Fusions run their body graph, so new fusion kinds need no interpreter change. Ops defined
/// elsewhere (`Op.custom(name)`) run through `customKernels[name]`.
public struct Interpreter<Scalar: IRScalar>: Sendable {
    /// A kernel for an `Op.custom` instruction: gets the instruction and its operand values.
    public typealias Kernel = @Sendable (Instruction, [Tensor<Scalar>]) throws -> Tensor<Scalar>

    public var customKernels: [String: Kernel]

    public init(customKernels: [String: Kernel] = [:]) { self.customKernels = customKernels }

    /// Runs `graph` on inputs given by name; returns every output by name.
    public func run(_ graph: Graph, inputs: [String: Tensor<Scalar>]) throws -> [String: Tensor<Scalar>] {
        let values = try evaluate(graph, inputs: inputs, keepAll: false)
        var out: [String: Tensor<Scalar>] = [:]
        for o in graph.outputs { out[o.name] = values[o.value] }
        return out
    }

    /// Runs `graph` and returns the value of every instruction (or only the outputs' values when
    /// `keepAll` is false: intermediate values are dropped after their last use).
    public func evaluate(_ graph: Graph, inputs: [String: Tensor<Scalar>],
                         keepAll: Bool = true) throws -> [ValueID: Tensor<Scalar>] {
        var lastUse: [ValueID: Int] = [:]
        for (i, inst) in graph.instructions.enumerated() { for o in inst.operands { lastUse[o] = i } }
        let outputs = Set(graph.outputs.map(\.value))
        var values: [ValueID: Tensor<Scalar>] = [:]
        for (i, inst) in graph.instructions.enumerated() {
            let args = try inst.operands.map { v -> Tensor<Scalar> in
                guard let t = values[v] else { throw InterpreterError("\(v) used before it was computed") }
                return t
            }
            let result: Tensor<Scalar>
            if case .input = inst.op {
                guard let name = inst.name, let t = inputs[name] else {
                    throw InterpreterError("no value given for input \(inst.name ?? "?")")
                }
                guard t.type == inst.type else {
                    throw InterpreterError("input \(name) is \(t.type), the graph expects \(inst.type)")
                }
                result = t
            } else if case .fusion(let kind, let body) = inst.op, !inst.extraResults.isEmpty {
                let all = try fusionResults(kind, body, args)
                guard all.count == 1 + inst.extraResults.count else {
                    throw InterpreterError("fusion.\(kind.name) body has \(all.count) outputs, the instruction \(1 + inst.extraResults.count) results")
                }
                for (e, t) in zip(inst.extraResults, all.dropFirst()) {
                    guard t.shape == e.type.shape else {
                        throw InterpreterError("fusion.\(kind.name) produced shape \(t.shape), expected \(e.type)")
                    }
                    values[e.value] = t
                }
                result = all[0]
            } else {
                result = try execute(inst, args)
            }
            if result.shape != inst.type.shape {
                throw InterpreterError("\(inst.op.mnemonic) produced shape \(result.shape), expected \(inst.type)")
            }
            values[inst.result] = result
            if !keepAll {
                for o in Set(inst.operands) where lastUse[o] == i && !outputs.contains(o) { values[o] = nil }
            }
        }
        return values
    }

    /// One instruction on its operand values.
    public func execute(_ inst: Instruction, _ a: [Tensor<Scalar>]) throws -> Tensor<Scalar> {
        typealias K = ReferenceKernels
        let declared = inst.type.shape
        switch inst.op {
        case .input:
            throw InterpreterError("inputs are bound by evaluate")
        case .constant(let v):
            return Tensor(filling: inst.type, with: Scalar(v))
        case .unary(let u): return K.unary(u, a[0])
        case .binary(let b): return K.binary(b, a[0], a[1])
        case .activation(let f): return K.activation(f, a[0])
        case .activationGrad(let f): return K.activationGrad(f, a[0], a[1])
        case .broadcast: return Tensor(filling: inst.type, with: a[0].scalar)
        case .reduceSum: return K.reduceSum(a[0])
        case .reshape: return Tensor(a[0].element, shape: declared, scalars: a[0].scalars)
        case .convert:
            let s = inst.type.element == .i32 ? a[0].scalars.map { $0.rounded(.towardZero) } : a[0].scalars
            return Tensor(inst.type.element, shape: declared, scalars: s)
        case .conv2d(let c): return K.conv2d(a[0], a[1], c)
        case .matmul(let ta, let tb): return K.matmul(a[0], a[1], transposeA: ta, transposeB: tb)
        case .biasAdd: return K.biasAdd(a[0], a[1])
        case .softmax: return K.softmax(a[0])
        case .maxPool(let p): return K.maxPool(a[0], p)
        case .avgPool(let p): return K.avgPool(a[0], p)
        case .spatialMean: return K.spatialMean(a[0])
        case .depthwiseConv2d(let c): return K.depthwiseConv2d(a[0], a[1], c)
        case .depthwiseConv2dInputGrad(let c): return K.depthwiseConv2dInputGrad(a[0], a[1], inputShape: declared, c)
        case .depthwiseConv2dFilterGrad(let c): return K.depthwiseConv2dFilterGrad(a[0], a[1], c)
        case .concat: return K.concat(a)
        case .channelSlice(let start, let count): return K.channelSlice(a[0], start: start, count: count)
        case .dropout(let d), .dropoutGrad(let d): return K.dropout(a[0], seed: Int(a[1].scalar), d)
        case .batchNormTraining(let e):
            let (mean, variance) = K.moments(a[0])
            return K.batchNorm(a[0], gamma: a[1], beta: a[2], mean: mean, variance: variance, epsilon: e)
        case .batchNormInference(let e):
            return K.batchNorm(a[0], gamma: a[1], beta: a[2], mean: a[3].scalars, variance: a[4].scalars, epsilon: e)
        case .batchMean: return K.batchMean(a[0])
        case .batchVariance: return K.batchVariance(a[0])
        case .softmaxCrossEntropy(let s): return K.softmaxCrossEntropy(a[0], a[1], labelSmoothing: s)
        case .correctCount: return K.correctCount(a[0], a[1])
        case .conv2dInputGrad(let c): return K.conv2dInputGrad(a[0], a[1], inputShape: declared, c)
        case .conv2dFilterGrad(let c): return K.conv2dFilterGrad(a[0], a[1], c)
        case .biasGrad: return K.biasGrad(a[0])
        case .softmaxGrad: return K.softmaxGrad(a[0], a[1])
        case .maxPoolGrad(let p): return K.maxPoolGrad(a[0], a[1], p)
        case .avgPoolGrad(let p): return K.avgPoolGrad(a[0], inputShape: declared, p)
        case .spatialMeanGrad: return K.spatialMeanGrad(a[0], inputShape: declared)
        case .batchNormGradInput(let e): return K.batchNormGradInput(a[0], a[1], gamma: a[2], epsilon: e)
        case .batchNormGradGamma(let e): return K.batchNormGradGamma(a[0], a[1], epsilon: e)
        case .softmaxCrossEntropyGrad(let s): return K.softmaxCrossEntropyGrad(a[0], a[1], a[2], labelSmoothing: s)
        case .im2col(let c): return K.im2col(a[0], c)
        case .col2im(let c): return K.col2im(a[0], inputShape: declared, c)
        case .fusion(let kind, let body):
            return try fusionResults(kind, body, a)[0]
        case .custom(let name):
            guard let kernel = customKernels[name] else { throw InterpreterError("no kernel registered for \(name)") }
            return try kernel(inst, a)
        }
    }
}

extension Interpreter {
    /// A fusion's body on its operands: every output, in order (at least one).
    func fusionResults(_ kind: FusionKind, _ body: Graph, _ a: [Tensor<Scalar>]) throws -> [Tensor<Scalar>] {
        let args = body.inputs.filter { if case .input(.argument) = $0.op { true } else { false } }
        guard args.count == a.count else {
            throw InterpreterError("fusion.\(kind.name) takes \(args.count) arguments, got \(a.count)")
        }
        var bound: [String: Tensor<Scalar>] = [:]
        for (arg, value) in zip(args, a) { bound[arg.name ?? ""] = value }
        let out = try run(body, inputs: bound)
        let results = body.outputs.compactMap { out[$0.name] }
        guard !results.isEmpty, results.count == body.outputs.count else {
            throw InterpreterError("fusion.\(kind.name) body has no output")
        }
        return results
    }
}
