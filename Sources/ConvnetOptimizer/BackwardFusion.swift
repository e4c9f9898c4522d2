import ConvnetIR

/// Backward fusion: an activation gradient `<act>_grad(dy, y)` joins the op that produced its
/// incoming gradient dy as that op's epilogue, e.g. `fusion.conv_input_grad_relu_grad(dz, w, y)`
/// (body: the input gradient, lowered later to matmul + col2im, then the mask), so the unmasked
/// gradient is never written to memory. Producers: conv and dense input gradients, pool and
/// `mean_hw` gradients, dropout and batch-norm input gradients. Legal when dy has no other user
/// and is no output (always the case for a plain layer stack).
///
/// The bias-gradient reduction is not fused here: the masked gradient is needed whole by the
/// filter and input gradients of the same layer, so `bias_grad` reads the fusion's result.
/// Kernel selection may then make it the fusion's second result, summed by the same kernel
/// while the data is hot (`FusionKind.gradient(_, _, biasGradient: true)`).
public enum BackwardFusion {
    /// The graph with each fusable activation gradient joined to its producer.
    public static func run(_ graph: Graph) -> Graph {
        let users = graph.users()
        let outputs = Set(graph.outputs.map(\.value))
        let index = graph.definitionIndex()
        var groups: [(members: [Int], kind: FusionKind, attributes: Attributes)] = []
        var taken = Set<Int>()
        for (i, inst) in graph.instructions.enumerated() {
            guard case .activationGrad(let f) = inst.op else { continue }
            let dy = inst.operands[0]
            guard !outputs.contains(dy), users[dy] == [i], let p = index[dy], !taken.contains(p),
                  let kind = kind(graph.instructions[p].op, f) else { continue }
            taken.formUnion([p, i])
            groups.append(([p, i], kind, Attributes()))
        }
        return FusionExtraction.replace(groups, in: graph)
    }

    /// The fusion of `op` with the gradient of `f` as its epilogue, when `op` can take it.
    private static func kind(_ op: Op, _ f: ActivationFunction) -> FusionKind? {
        switch op {
        case .conv2dInputGrad(let c): .convInputGrad(c, activation: f, biasGradient: false)
        case .matmul: .gradient(.matmul, f, biasGradient: false)
        case .maxPoolGrad: .gradient(.maxPoolGrad, f, biasGradient: false)
        case .avgPoolGrad: .gradient(.avgPoolGrad, f, biasGradient: false)
        case .spatialMeanGrad: .gradient(.spatialMeanGrad, f, biasGradient: false)
        case .dropoutGrad: .gradient(.dropoutGrad, f, biasGradient: false)
        case .batchNormGradInput: .gradient(.batchNormGradInput, f, biasGradient: false)
        case .input, .constant, .unary, .binary, .activation, .activationGrad, .broadcast, .reduceSum, .reshape,
             .convert, .conv2d, .biasAdd, .softmax, .maxPool, .avgPool, .spatialMean, .dropout, .batchNormTraining,
             .batchNormInference, .batchMean, .batchVariance, .softmaxCrossEntropy, .correctCount,
             .conv2dFilterGrad, .biasGrad, .softmaxGrad, .batchNormGradGamma, .softmaxCrossEntropyGrad, .im2col, .col2im, .fusion,
             .custom: nil
        }
    }
}
