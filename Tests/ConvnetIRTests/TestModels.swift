import ConvnetSema
import ConvnetTestSupport
import ConvnetSyntax
@testable import ConvnetIR


/// A second model exercising the other layers: strided valid conv, batch norm, avg pool,
/// flatten, dropout, tanh/sigmoid dense.
func otherLayersModel() -> CheckedModel {
    model(.spatial(8, 8, 3), [
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 4, stride: 2, padding: .valid, activation: .tanh)),
        .batchNorm(BatchNormDecl()),
        .avgPool(PoolDecl(size: 2, stride: 1)),
        .flatten,
        .dropout(rate: 0.3),
        .dense(DenseDecl(units: 5, activation: .sigmoid)),
        .dense(DenseDecl(units: 3, activation: .softmax)),
    ])
}

/// Keras-style initial values for a program's weights and zeroed slots.
func initialValues<S: IRScalar>(_ program: IRProgram, seed: UInt64 = 7) -> [String: Tensor<S>] {
    var rng = TestRandom(seed: seed)
    var values: [String: Tensor<S>] = [:]
    for p in program.parameters + program.optimizerSlots {
        let scalars: [Double] = switch p.initializer {
        case .zeros: Array(repeating: 0, count: p.elementCount)
        case .ones: Array(repeating: 1, count: p.elementCount)
        case .glorotUniform: rng.values(p.elementCount, -p.initializer.limit, p.initializer.limit)
        }
        values[p.name] = Tensor(shape: p.shape, scalars: scalars.map { S($0) })
    }
    return values
}
