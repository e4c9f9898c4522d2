import XCTest
@testable import ConvnetKernels

/// The register-blocked direct convolutions against the seven-loop reference (`ConvReference`).
final class DirectConvTests: XCTestCase {
    /// Stride-1 shapes that reach every code path: borders clipped on all sides, asymmetric
    /// 'same' padding (even kernel), 'valid', 1x1, a kernel wider than the input, output
    /// channels of 1, 16, 30, 64, 70 (3+2 vector groups) and 130 (3+3+3), channel counts that
    /// leave remainders in every run size, widths that leave remainders in every pixel block.
    static let shapes: [ConvGeometry] = [
        ConvGeometry(batch: 3, inHeight: 7, inWidth: 5, inChannels: 3, kernelHeight: 3, kernelWidth: 3, filters: 4, padding: .same),
        ConvGeometry(batch: 2, inHeight: 9, inWidth: 29, inChannels: 5, kernelHeight: 3, kernelWidth: 3, filters: 30, padding: .same),
        ConvGeometry(batch: 3, inHeight: 6, inWidth: 20, inChannels: 17, kernelHeight: 3, kernelWidth: 3, filters: 70, padding: .same),
        ConvGeometry(batch: 2, inHeight: 5, inWidth: 7, inChannels: 3, kernelHeight: 3, kernelWidth: 3, filters: 130, padding: .valid),
        ConvGeometry(batch: 1, inHeight: 4, inWidth: 5, inChannels: 2, kernelHeight: 2, kernelWidth: 2, filters: 16, padding: .same),
        ConvGeometry(batch: 2, inHeight: 3, inWidth: 30, inChannels: 16, kernelHeight: 1, kernelWidth: 1, filters: 40, padding: .same),
        ConvGeometry(batch: 2, inHeight: 2, inWidth: 1, inChannels: 3, kernelHeight: 5, kernelWidth: 5, filters: 2, padding: .same),
        ConvGeometry(batch: 2, inHeight: 14, inWidth: 25, inChannels: 33, kernelHeight: 3, kernelWidth: 3, filters: 64, padding: .same),
        ConvGeometry(batch: 3, inHeight: 8, inWidth: 7, inChannels: 3, kernelHeight: 5, kernelWidth: 5, filters: 1, padding: .valid),
        ConvGeometry(batch: 2, inHeight: 6, inWidth: 9, inChannels: 7, kernelHeight: 3, kernelWidth: 5, filters: 17, padding: .same),
        // Several bands of dY in the filter gradient (128 KB / (64 pixels x 20 filters x 4 B) =
        // 25 rows per band, 60 rows), each copied with pixels padded to 32 floats.
        ConvGeometry(batch: 2, inHeight: 60, inWidth: 64, inChannels: 4, kernelHeight: 3, kernelWidth: 3, filters: 20, padding: .same),
        // Winograd both ways with 'valid' padding (the input gradient's window then pads by 2)
        // and an odd number of output rows.
        ConvGeometry(batch: 2, inHeight: 9, inWidth: 8, inChannels: 26, kernelHeight: 3, kernelWidth: 3, filters: 28, padding: .valid),
        // Winograd with 27 tiles across, an odd number.
        ConvGeometry(batch: 2, inHeight: 3, inWidth: 53, inChannels: 24, kernelHeight: 3, kernelWidth: 3, filters: 25, padding: .same),
    ]

    func testForwardAndBothGradientsMatchTheReference() {
        for (s, g) in Self.shapes.enumerated() {
            let x = Buffer(randomFloats(g.inputCount, seed: 100 + UInt64(s)))
            let w = Buffer(randomFloats(g.weightCount, seed: 200 + UInt64(s)))
            let dy = Buffer(randomFloats(g.outputCount, seed: 300 + UInt64(s)))
            let yRef = Buffer(repeating: Float(0), count: g.outputCount)
            let dwRef = Buffer(repeating: Float(0), count: g.weightCount)
            let dxRef = Buffer(repeating: Float(0), count: g.inputCount)
            ConvReference.forward(g, input: x.pointer, weights: w.pointer, output: yRef.pointer)
            ConvReference.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: dwRef.pointer)
            ConvReference.backwardInput(g, outputGradient: dy.pointer, weights: w.pointer, inputGradient: dxRef.pointer)

            let conv = Self.chosen(g)
            let y = Buffer(repeating: Float.nan, count: g.outputCount)
            let dw = Buffer(repeating: Float.nan, count: g.weightCount)
            let dx = Buffer(repeating: Float.nan, count: g.inputCount)
            // Twice: the second call must not see anything left over from the first.
            for round in 0..<2 {
                conv.forward(input: x.pointer, weights: w.pointer, bias: nil, activation: .linear, output: y.pointer)
                conv.backwardFilter(input: x.pointer, outputGradient: dy.pointer, weightGradient: dw.pointer)
                conv.backwardInput(outputGradient: dy.pointer, weights: w.pointer, inputGradient: dx.pointer)
                assertClose(y.array, yRef.array, "forward shape \(s) round \(round)")
                assertClose(dw.array, dwRef.array, "filter grad shape \(s) round \(round)")
                assertClose(dx.array, dxRef.array, "input grad shape \(s) round \(round)")
            }
        }
    }

    /// The kernels the optimizer's kernel selection would pick for `g` (Winograd where it gains).
    static func chosen(_ g: ConvGeometry) -> DirectConv {
        DirectConv(g, winograd: DirectConv.winogradGains(forward: g))
    }

    /// Which passes Winograd's F(2x2, 3x3) gains on (the predicate kernel selection asks):
    /// float32 3x3 windows from and to at least 24 channels; DirectConv runs what it is told.
    func testWinogradIsChosenForWideThreeByThreeWindows() {
        XCTAssertTrue(DirectConv.winogradGains(forward: Self.shapes[7]))          // 33 inputs, 64 filters
        XCTAssertTrue(DirectConv.winogradGains(inputGradient: Self.shapes[7]))
        XCTAssertNotNil(Self.chosen(Self.shapes[7]).forwardWinograd)
        XCTAssertNotNil(Self.chosen(Self.shapes[7]).backwardWinograd)
        XCTAssertFalse(DirectConv.winogradGains(forward: Self.shapes[2]))         // 17 inputs, 70 filters
        XCTAssertFalse(DirectConv.winogradGains(inputGradient: Self.shapes[2]), "70 -> 17 channels")
        XCTAssertNil(Self.chosen(Self.shapes[2]).forwardWinograd)
        let fewOut = ConvGeometry(batch: 1, inHeight: 5, inWidth: 5, inChannels: 30, kernelHeight: 3,
                                  kernelWidth: 3, filters: 30, padding: .same)
        XCTAssertTrue(DirectConv.winogradGains(forward: fewOut))
        XCTAssertTrue(DirectConv.winogradGains(inputGradient: fewOut))
        XCTAssertFalse(DirectConv.winogradApplies(Self.shapes[9]), "3x5 window")
        XCTAssertNil(DirectConv(Self.shapes[7], numerics: .bfloat16).forwardWinograd, "the MXU's order")
        XCTAssertNil(DirectConv(Self.shapes[7]).forwardWinograd, "not asked for")
        XCTAssertNotNil(Self.chosen(Self.shapes[11]).backwardWinograd, "padding 2")
    }

    func testFusedBiasAndActivationEqualConvThenEpilogue() {
        for g in [Self.shapes[2], Self.shapes[7]] {                  // direct kernels, then Winograd
            let x = Buffer(randomFloats(g.inputCount, seed: 7)), w = Buffer(randomFloats(g.weightCount, seed: 8))
            let bias = Buffer(randomFloats(g.filters, seed: 9))
            let conv = Self.chosen(g)
            for activation in EpilogueActivation.allCases {
                let y = Buffer(repeating: Float(0), count: g.outputCount), ref = Buffer(repeating: Float(0), count: g.outputCount)
                conv.forward(input: x.pointer, weights: w.pointer, bias: bias.pointer, activation: activation, output: y.pointer)
                ConvReference.forward(g, input: x.pointer, weights: w.pointer, output: ref.pointer)
                EpilogueReference.biasActivation(ref.pointer, rows: g.outputCount / g.filters, columns: g.filters,
                                                 bias: bias.pointer, activation: activation)
                assertClose(y.array, ref.array, "\(activation)")
            }
        }
    }

    /// The fused relu backward: dX masked by y > 0 and its per-channel sums, as a separate pass
    /// would compute them.
    func testInputGradientWithFusedReluBackward() {
        for (s, g) in Self.shapes.enumerated() {
            let dy = Buffer(randomFloats(g.outputCount, seed: 500 + UInt64(s)))
            let w = Buffer(randomFloats(g.weightCount, seed: 600 + UInt64(s)))
            let y = Buffer(randomFloats(g.inputCount, seed: 700 + UInt64(s)))     // about half <= 0
            let conv = Self.chosen(g)
            let plain = Buffer(repeating: Float.nan, count: g.inputCount)
            conv.backwardInput(outputGradient: dy.pointer, weights: w.pointer, inputGradient: plain.pointer)
            let expected = zip(plain.array, y.array).map { $1 <= 0 ? 0 : $0 }
            var expectedSums = [Double](repeating: 0, count: g.inChannels)
            for (i, v) in expected.enumerated() { expectedSums[i % g.inChannels] += Double(v) }
            let dx = Buffer(repeating: Float.nan, count: g.inputCount)
            let sums = Buffer(repeating: Double.nan, count: g.inChannels)
            conv.backwardInput(outputGradient: dy.pointer, weights: w.pointer, inputGradient: dx.pointer,
                               reluOutput: y.pointer, biasSums: sums.pointer)
            XCTAssertEqual(dx.array, expected, "shape \(s)")
            assertClose(sums.array, expectedSums, tolerance: 1e-5, "sums, shape \(s)")
        }
    }

    /// Two image halves run on two threads; the result must not depend on which finished first.
    func testResultsAreBitIdenticalRunToRun() {
        let g = Self.shapes[7]
        let x = Buffer(randomFloats(g.inputCount, seed: 1)), dy = Buffer(randomFloats(g.outputCount, seed: 2))
        let conv = Self.chosen(g)
        var first: [Float] = []
        for _ in 0..<5 {
            let dw = Buffer(repeating: Float.nan, count: g.weightCount)
            conv.backwardFilter(input: x.pointer, outputGradient: dy.pointer, weightGradient: dw.pointer)
            if first.isEmpty { first = dw.array } else { XCTAssertTrue(dw.array == first) }
        }
    }

    func testVectorGroupsAndRowRunsCoverEverything() {
        for count in 1...12 {
            let groups = VectorGroups.split(count)
            XCTAssertEqual(groups.map(\.count).reduce(0, +), count)
            XCTAssertTrue(groups.allSatisfy { (1...4).contains($0.count) })
            for v in 1...4 {
                for rows in [1, 5, 7, 13, 192] {
                    let runs = VectorGroups.rowRuns(rows, vectors: v)
                    XCTAssertEqual(runs.reduce(0, +), rows)
                    XCTAssertTrue(runs.allSatisfy { $0 <= MicroKernels.maxRows(vectors: v) })
                }
            }
        }
    }
}
