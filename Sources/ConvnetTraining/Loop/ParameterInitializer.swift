import ConvnetData
import ConvnetInterface

/// Fresh weights as Keras makes them (glorot_uniform kernels, zero biases and betas, unit gamma
/// and moving variance), drawn from xoshiro256** seeded by `(seed, parameter index)` only, so
/// the same seed gives the same network on every machine and backend.
public enum ParameterInitializer {
    static let tag: UInt64 = 0x494e_4954  // "INIT"

    /// The initial values of `parameters`, by name, each row-major in its Keras layout.
    public static func initialValues(_ parameters: [ParameterInfo], seed: UInt64) -> [String: [Float]] {
        var values: [String: [Float]] = [:]
        for (index, p) in parameters.enumerated() {
            values[p.name] = initialValue(p, seed: seed, index: index)
        }
        return values
    }

    /// One parameter's values; `index` is its position in the model's parameter list.
    public static func initialValue(_ p: ParameterInfo, seed: UInt64, index: Int) -> [Float] {
        switch p.initializer {
        case .zeros:
            return [Float](repeating: 0, count: p.elementCount)
        case .ones:
            return [Float](repeating: 1, count: p.elementCount)
        case .glorotUniform:
            let limit = Float(p.initializer.limit)
            var rng = Xoshiro256StarStar(seed: SplitMix64.derive(seed, tag, UInt64(index)))
            return (0..<p.elementCount).map { _ in (rng.unit() * 2 - 1) * limit }
        }
    }
}
