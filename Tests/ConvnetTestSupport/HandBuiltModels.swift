import ConvnetSema
import ConvnetSyntax

/// A checked model from layer kinds alone, through the real semantic pass (Keras shapes,
/// names and counts), for tests of the stages after it that should not depend on the parser.
/// Each layer stands on its own line of a fake source so diagnostics still have places.
public func model(_ input: TensorShape, _ layers: [LayerKind]) -> CheckedModel {
    let source = SourceFile(path: "test.convnet", text: String(repeating: "layer\n", count: layers.count + 1))
    var file = ModelFile(source: source)
    file.input = InputDecl(height: input.height, width: input.width, channels: input.channels,
                           range: SourceRange(0, 5))
    file.layers = layers.enumerated().map { i, kind in
        let start = (i + 1) * 6
        return LayerDecl(kind: kind, range: SourceRange(start, start + 5), keywordRange: SourceRange(start, start + 5))
    }
    let result = SemanticAnalyzer.analyze(file)
    guard let checked = result.model else {
        preconditionFailure("test model does not check: \(result.diagnostics.map(\.message))")
    }
    return checked
}

/// The model the brief asks the whole-model gradient check to use:
/// conv relu -> maxpool -> conv -> gap -> dense softmax, on 8x8x3.
public func smallModel() -> CheckedModel {
    model(.spatial(8, 8, 3), [
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 4, activation: .relu)),
        .maxPool(PoolDecl(size: 2)),
        .conv(ConvDecl(kernelHeight: 3, kernelWidth: 3, filters: 5)),
        .globalAveragePool,
        .dense(DenseDecl(units: 3, activation: .softmax)),
    ])
}

/// A small deterministic generator (SplitMix64) so tests never depend on system randomness.
public struct TestRandom {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }
    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }

    /// Values in +-[0.1, 1]: away from relu's kink and distinct enough to avoid max-pool ties.
    public mutating func awayFromZero(_ n: Int) -> [Double] {
        (0..<n).map { _ in (next() & 1 == 0 ? 1 : -1) * uniform(0.1, 1) }
    }

    public mutating func values(_ n: Int, _ lo: Double, _ hi: Double) -> [Double] {
        (0..<n).map { _ in uniform(lo, hi) }
    }
}
