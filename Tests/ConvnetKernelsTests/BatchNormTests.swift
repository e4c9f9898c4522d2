import XCTest
@testable import ConvnetKernels

final class BatchNormTests: XCTestCase {
    let (rows, channels) = (3 * 5 * 4, 3)   // (N, H, W) = (3, 5, 4) flattened, C = 3

    func testTrainingForwardMatchesReferenceAndUpdatesMovingStats() {
        let x = Buffer(randomFloats(rows * channels, seed: 1, range: -2...3))
        let gamma = Buffer(randomFloats(channels, seed: 2, range: 0.5...1.5)), beta = Buffer(randomFloats(channels, seed: 3))
        let movingMean = Buffer<Float>([0, 1, 2]), movingVar = Buffer<Float>([1, 1, 1])
        let mean = Buffer(repeating: Float(0), count: channels), invStd = Buffer(repeating: Float(0), count: channels)
        let y = Buffer(repeating: Float.nan, count: rows * channels), ref = Buffer(repeating: Float(0), count: rows * channels)
        BatchNorm.trainingForward(input: x.pointer, rows: rows, channels: channels, gamma: gamma.pointer, beta: beta.pointer,
                                  movingMean: movingMean.pointer, movingVariance: movingVar.pointer,
                                  savedMean: mean.pointer, savedInvStd: invStd.pointer, output: y.pointer)
        let stats = BatchNormReference.trainingForward(input: x.pointer, rows: rows, channels: channels,
                                                       gamma: gamma.pointer, beta: beta.pointer, output: ref.pointer)
        assertClose(y.array, ref.array, tolerance: 1e-5)
        assertClose(mean.array, stats.mean, tolerance: 1e-5)
        for c in 0..<channels {
            XCTAssertEqual(movingMean.array[c], 0.99 * Float(c) + 0.01 * stats.mean[c], accuracy: 1e-6)
            XCTAssertEqual(movingVar.array[c], 0.99 + 0.01 * stats.variance[c], accuracy: 1e-6)
            XCTAssertEqual(invStd.array[c], 1 / (stats.variance[c] + 1e-3).squareRoot(), accuracy: 1e-5)
        }
    }

    /// The one-pass shifted moments against two passes in Float64 (mean, then centred squares),
    /// on data whose mean is 1000x its spread (where E[x^2] - E[x]^2 would lose every digit in
    /// Float and most in Float64), on many rows (every chunk of the reduction), and on one row.
    func testOnePassMomentsMatchTwoPassesEvenFarFromZero() {
        for (rows, offset) in [(5_000, Float(0)), (5_000, Float(1000)), (1, Float(3)), (7, Float(-250))] {
            let c = 5
            let x = Buffer(randomFloats(rows * c, seed: UInt64(rows) + 11, range: -1...1).map { $0 + offset })
            let stats = Buffer(repeating: Double.nan, count: 2 * c)
            BatchStatistics.moments(x.pointer, rows, c, into: stats.pointer)
            for ch in 0..<c {
                var mean = 0.0, variance = 0.0
                for r in 0..<rows { mean += Double(x.array[r * c + ch]) }
                mean /= Double(rows)
                for r in 0..<rows { let d = Double(x.array[r * c + ch]) - mean; variance += d * d }
                variance /= Double(rows)
                XCTAssertEqual(stats.array[ch], mean, accuracy: 1e-9 * max(1, abs(mean)), "mean rows \(rows) offset \(offset)")
                XCTAssertEqual(stats.array[c + ch], variance, accuracy: 1e-9 + 1e-9 * variance, "variance rows \(rows) offset \(offset)")
            }
        }
    }

    /// A batch norm's beta gradient is `bias_grad(dy)`: the CPU executor reads it from the sum dy
    /// of `gradientSums` (recorded by the batch norm's backward pass), the native code calls
    /// `Epilogue.biasGradient`, and a linear `activationBiasGradient` sums the same columns. All
    /// three must be the same bits (they use one blocking), on sizes that end mid-block and use
    /// every chunk of the reduction, or the targets' betas drift apart under Adam.
    func testEveryColumnSumOfAGradientIsTheSameBits() {
        for (rows, c) in [(1, 3), (45, 5), (4099, 7), (20000, 16)] {
            let dy = Buffer(randomFloats(rows * c, seed: UInt64(rows) + 3, range: -1...1))
            let x = Buffer(randomFloats(rows * c, seed: UInt64(rows) + 4, range: -2...3))
            let mean = Buffer(repeating: Float(0), count: c), inv = Buffer(repeating: Float(0), count: c)
            let moments = Buffer(repeating: Double(0), count: 2 * c), sums = Buffer(repeating: Double.nan, count: 2 * c)
            BatchNorm.statistics(x.pointer, rows: rows, channels: c, epsilon: 1e-3, moments: moments.pointer,
                                 mean: mean.pointer, invStd: inv.pointer)
            BatchNorm.gradientSums(dy.pointer, x.pointer, rows: rows, channels: c, mean: mean.pointer,
                                   invStd: inv.pointer, into: sums.pointer)
            let beta = sums.array.prefix(c).map { Float($0) }
            let bias = Buffer(repeating: Float.nan, count: c)
            Epilogue.biasGradient(dy.pointer, rows: rows, columns: c, into: bias.pointer)
            XCTAssertEqual(bias.array, beta, "\(rows)x\(c): bias_grad vs the batch norm's sum dy")
            let dx = Buffer(repeating: Float.nan, count: rows * c), fused = Buffer(repeating: Float.nan, count: c)
            Epilogue.activationBiasGradient(dy.pointer, output: x.pointer, inputGradient: dx.pointer, rows: rows,
                                            channels: c, activation: .linear, biasGradient: fused.pointer)
            XCTAssertEqual(fused.array, beta, "\(rows)x\(c): the fused linear bias gradient")
        }
    }

    func testInferenceUsesMovingStats() {
        let x = Buffer(randomFloats(rows * channels, seed: 4))
        let gamma = Buffer<Float>([1, 2, 0.5]), beta = Buffer<Float>([0, -1, 1])
        let mm = Buffer<Float>([0.1, -0.2, 0.3]), mv = Buffer<Float>([1, 4, 0.25])
        let y = Buffer(repeating: Float(0), count: rows * channels), ref = Buffer(repeating: Float(0), count: rows * channels)
        BatchNorm.inferenceForward(input: x.pointer, rows: rows, channels: channels, gamma: gamma.pointer, beta: beta.pointer,
                                   movingMean: mm.pointer, movingVariance: mv.pointer, output: y.pointer)
        BatchNormReference.inferenceForward(input: x.pointer, rows: rows, channels: channels, gamma: gamma.pointer,
                                            beta: beta.pointer, movingMean: mm.pointer, movingVariance: mv.pointer,
                                            output: ref.pointer)
        assertClose(y.array, ref.array, tolerance: 1e-6)
    }

    /// L = sum(y * r): dx, dgamma, dbeta against the reference and against central differences
    /// of the Float64 reference forward.
    func testBackwardMatchesReferenceAndFiniteDifferences() {
        let x = randomFloats(rows * channels, seed: 5, range: -2...2)
        let gamma = randomFloats(channels, seed: 6, range: 0.5...1.5), beta = randomFloats(channels, seed: 7)
        let r = randomFloats(rows * channels, seed: 8)
        let xb = Buffer(x), gb = Buffer(gamma), bb = Buffer(beta), rb = Buffer(r)
        let mm = Buffer(repeating: Float(0), count: channels), mv = Buffer(repeating: Float(1), count: channels)
        let mean = Buffer(repeating: Float(0), count: channels), invStd = Buffer(repeating: Float(0), count: channels)
        let y = Buffer(repeating: Float(0), count: rows * channels)
        BatchNorm.trainingForward(input: xb.pointer, rows: rows, channels: channels, gamma: gb.pointer, beta: bb.pointer,
                                  movingMean: mm.pointer, movingVariance: mv.pointer, savedMean: mean.pointer,
                                  savedInvStd: invStd.pointer, output: y.pointer)
        let dx = Buffer(repeating: Float.nan, count: rows * channels)
        let dg = Buffer(repeating: Float.nan, count: channels), db = Buffer(repeating: Float.nan, count: channels)
        BatchNorm.backward(input: xb.pointer, outputGradient: rb.pointer, rows: rows, channels: channels, gamma: gb.pointer,
                           savedMean: mean.pointer, savedInvStd: invStd.pointer, inputGradient: dx.pointer,
                           gammaGradient: dg.pointer, betaGradient: db.pointer)

        let dxRef = Buffer(repeating: Float(0), count: rows * channels)
        let dgRef = Buffer(repeating: Float(0), count: channels), dbRef = Buffer(repeating: Float(0), count: channels)
        BatchNormReference.backward(input: xb.pointer, outputGradient: rb.pointer, rows: rows, channels: channels,
                                    gamma: gb.pointer, inputGradient: dxRef.pointer, gammaGradient: dgRef.pointer,
                                    betaGradient: dbRef.pointer)
        assertClose(dx.array, dxRef.array, tolerance: 1e-4, "dx vs reference")
        assertClose(dg.array, dgRef.array, tolerance: 1e-5, "dgamma vs reference")
        assertClose(db.array, dbRef.array, tolerance: 1e-5, "dbeta vs reference")

        let rd = toDouble(r)
        func loss(_ xs: [Double], _ gs: [Double], _ bs: [Double]) -> Double {
            let xb = Buffer(xs), gb = Buffer(gs), bb = Buffer(bs), y = Buffer(repeating: 0.0, count: rows * channels)
            BatchNormReference.trainingForward(input: xb.pointer, rows: rows, channels: channels, gamma: gb.pointer,
                                               beta: bb.pointer, output: y.pointer)
            return dot(y.array, rd)
        }
        let (xd, gd, bd) = (toDouble(x), toDouble(gamma), toDouble(beta))
        assertClose(dx.array, numericGradient(xd) { loss($0, gd, bd) }, tolerance: 1e-4, "dx vs finite differences")
        assertClose(dg.array, numericGradient(gd) { loss(xd, $0, bd) }, tolerance: 1e-4, "dgamma vs finite differences")
        assertClose(db.array, numericGradient(bd) { loss(xd, gd, $0) }, tolerance: 1e-4, "dbeta vs finite differences")
    }

    func testStatisticsAreDeterministicOnLargeInputs() {
        let big = 50_000
        let x = Buffer(randomFloats(big * 2, seed: 9)), gamma = Buffer<Float>([1, 1]), beta = Buffer<Float>([0, 0])
        var outputs: [[Float]] = []
        for _ in 0..<2 {
            let mm = Buffer<Float>([0, 0]), mv = Buffer<Float>([1, 1]), mean = Buffer<Float>([0, 0]), inv = Buffer<Float>([0, 0])
            let y = Buffer(repeating: Float(0), count: big * 2)
            BatchNorm.trainingForward(input: x.pointer, rows: big, channels: 2, gamma: gamma.pointer, beta: beta.pointer,
                                      movingMean: mm.pointer, movingVariance: mv.pointer, savedMean: mean.pointer,
                                      savedInvStd: inv.pointer, output: y.pointer)
            outputs.append(mean.array + inv.array + mm.array + mv.array)
        }
        XCTAssertEqual(outputs[0], outputs[1])
    }
}
