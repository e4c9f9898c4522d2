/// Every op by the family of kernels that runs it, decided once (`Op.family`, one exhaustive
/// switch). A backend's family lowering (`ThunkBuilder+Pool`, `NormEmitter`, ...) switches over
/// its family's enum only, exhaustively: a new pool op makes the compiler list the pool
/// lowerings, and a new op of another family touches none of them.
public enum OpFamily: Hashable, Sendable {
    /// `input`, `constant`: values, not computations.
    case declaration
    /// One output element from the same element of each operand.
    case elementwise(ElementwiseOp)
    /// Convolutions and matmuls (the MXU's work), and im2col / col2im around them.
    case linear(LinearOp)
    case pool(PoolOp)
    case norm(NormOp)
    /// The classifier head.
    case loss(LossOp)
    /// Ops each backend lowers on their own (data movement, reductions, dropout, depthwise
    /// convolutions, fusions, custom ops): no family function groups them.
    case other
}

public enum ElementwiseOp: Hashable, Sendable {
    case unary(UnaryOp)
    case binary(BinaryOp)
    case activation(ActivationFunction)
    case activationGrad(ActivationFunction)
    case biasAdd
    case convert
}

public enum LinearOp: Hashable, Sendable {
    case conv2d(ConvAttributes)
    case conv2dInputGrad(ConvAttributes)
    case conv2dFilterGrad(ConvAttributes)
    case im2col(ConvAttributes)
    case col2im(ConvAttributes)
    case matmul(transposeA: Bool, transposeB: Bool)
}

public enum PoolOp: Hashable, Sendable {
    case maxPool(PoolAttributes)
    case avgPool(PoolAttributes)
    case maxPoolGrad(PoolAttributes)
    case avgPoolGrad(PoolAttributes)
    case spatialMean
    case spatialMeanGrad
}

public enum NormOp: Hashable, Sendable {
    case batchNormTraining(epsilon: Double)
    case batchNormInference(epsilon: Double)
    case batchMean
    case batchVariance
    case batchNormGradInput(epsilon: Double)
    case batchNormGradGamma(epsilon: Double)
}

public enum LossOp: Hashable, Sendable {
    case softmax
    case softmaxGrad
    case softmaxCrossEntropy(labelSmoothing: Double)
    case softmaxCrossEntropyGrad(labelSmoothing: Double)
    case correctCount
}

extension Op {
    /// The op's family, with its attributes.
    public var family: OpFamily {
        switch self {
        case .input, .constant: .declaration
        case .unary(let u): .elementwise(.unary(u))
        case .binary(let b): .elementwise(.binary(b))
        case .activation(let f): .elementwise(.activation(f))
        case .activationGrad(let f): .elementwise(.activationGrad(f))
        case .biasAdd: .elementwise(.biasAdd)
        case .convert: .elementwise(.convert)
        case .conv2d(let c): .linear(.conv2d(c))
        case .conv2dInputGrad(let c): .linear(.conv2dInputGrad(c))
        case .conv2dFilterGrad(let c): .linear(.conv2dFilterGrad(c))
        case .im2col(let c): .linear(.im2col(c))
        case .col2im(let c): .linear(.col2im(c))
        case .matmul(let ta, let tb): .linear(.matmul(transposeA: ta, transposeB: tb))
        case .maxPool(let p): .pool(.maxPool(p))
        case .avgPool(let p): .pool(.avgPool(p))
        case .maxPoolGrad(let p): .pool(.maxPoolGrad(p))
        case .avgPoolGrad(let p): .pool(.avgPoolGrad(p))
        case .spatialMean: .pool(.spatialMean)
        case .spatialMeanGrad: .pool(.spatialMeanGrad)
        case .batchNormTraining(let e): .norm(.batchNormTraining(epsilon: e))
        case .batchNormInference(let e): .norm(.batchNormInference(epsilon: e))
        case .batchMean: .norm(.batchMean)
        case .batchVariance: .norm(.batchVariance)
        case .batchNormGradInput(let e): .norm(.batchNormGradInput(epsilon: e))
        case .batchNormGradGamma(let e): .norm(.batchNormGradGamma(epsilon: e))
        case .softmax: .loss(.softmax)
        case .softmaxGrad: .loss(.softmaxGrad)
        case .softmaxCrossEntropy(let s): .loss(.softmaxCrossEntropy(labelSmoothing: s))
        case .softmaxCrossEntropyGrad(let s): .loss(.softmaxCrossEntropyGrad(labelSmoothing: s))
        case .correctCount: .loss(.correctCount)
        case .broadcast, .reduceSum, .reshape, .concat, .channelSlice, .biasGrad, .dropout, .dropoutGrad,
             .depthwiseConv2d, .depthwiseConv2dInputGrad, .depthwiseConv2dFilterGrad, .fusion, .custom: .other
        }
    }
}
