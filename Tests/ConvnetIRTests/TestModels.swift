import ConvnetSema
import ConvnetTestSupport
import ConvnetSyntax
@testable import ConvnetIR

/// The model the brief asks the whole-model gradient check to use:
/// conv relu -> maxpool -> conv -> gap -> dense softmax, on 8x8x3.
func smallModel() -> CheckedModel {
    model(.spatial(8, 8, 3), [
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 4, activation: .relu)),
        .maxPool(PoolDecl(size: 2)),
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 5)),
        .globalAveragePool,
        .dense(DenseDecl(units: 3, activation: .softmax)),
    ])
}

/// A second model exercising the other layers: strided valid conv, batch norm, avg pool,
/// flatten, dropout, tanh/sigmoid dense.
func otherLayersModel() -> CheckedModel {
    model(.spatial(8, 8, 3), [
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 4, stride: 2, padding: .valid, activation: .tanh)),
        .batchNorm,
        .avgPool(PoolDecl(size: 2, stride: 1)),
        .flatten,
        .dropout(rate: 0.3),
        .dense(DenseDecl(units: 5, activation: .sigmoid)),
        .dense(DenseDecl(units: 3, activation: .softmax)),
    ])
}

/// A small deterministic generator (SplitMix64) so tests never depend on system randomness.
struct TestRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }

    /// Values in +-[0.1, 1]: away from relu's kink and distinct enough to avoid max-pool ties.
    mutating func awayFromZero(_ n: Int) -> [Double] {
        (0..<n).map { _ in (next() & 1 == 0 ? 1 : -1) * uniform(0.1, 1) }
    }

    mutating func values(_ n: Int, _ lo: Double, _ hi: Double) -> [Double] {
        (0..<n).map { _ in uniform(lo, hi) }
    }
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
