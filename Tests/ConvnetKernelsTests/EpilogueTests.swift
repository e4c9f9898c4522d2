import XCTest
@testable import ConvnetKernels

final class EpilogueTests: XCTestCase {
    func testBiasActivationMatchesReference() {
        for (rows, cols) in [(37, 7), (3000, 5), (1, 1)] {
            let v = randomFloats(rows * cols, seed: 1, range: -4...4), bias = Buffer(randomFloats(cols, seed: 2))
            for activation in EpilogueActivation.allCases {
                for useBias in [true, false] {
                    let fast = Buffer(v), slow = Buffer(v)
                    Epilogue.biasActivation(fast.pointer, rows: rows, columns: cols, bias: useBias ? bias.pointer : nil,
                                            activation: activation)
                    EpilogueReference.biasActivation(slow.pointer, rows: rows, columns: cols,
                                                     bias: useBias ? bias.pointer : nil, activation: activation)
                    assertClose(fast.array, slow.array, tolerance: 1e-6, "\(activation) \(rows)x\(cols) bias \(useBias)")
                }
            }
        }
    }

    func testSigmoidDoesNotOverflow() {
        let v = Buffer<Float>([-1000, -88, 0, 88, 1000])
        Epilogue.biasActivation(v.pointer, rows: 1, columns: 5, bias: nil, activation: .sigmoid)
        XCTAssertEqual(v.array[0], 0); XCTAssertEqual(v.array[2], 0.5); XCTAssertEqual(v.array[4], 1)
        XCTAssertTrue(v.array.allSatisfy { $0.isFinite })
    }

    /// The output-based derivative against central differences of the Float64 activation at the
    /// pre-activation value (points away from relu's kink).
    func testActivationBackwardMatchesFiniteDifferences() {
        let pre = randomFloats(200, seed: 3, range: -3...3).map { abs($0) < 0.01 ? $0 + 0.05 : $0 }
        let incoming = randomFloats(200, seed: 4)
        for activation in EpilogueActivation.allCases {
            let y = Buffer(pre)
            Epilogue.biasActivation(y.pointer, rows: 1, columns: pre.count, bias: nil, activation: activation)
            let fast = Buffer(incoming), slow = Buffer(incoming)
            Epilogue.activationBackward(fast.pointer, output: y.pointer, count: pre.count, activation: activation)
            EpilogueReference.activationBackward(slow.pointer, output: y.pointer, count: pre.count, activation: activation)
            assertClose(fast.array, slow.array, tolerance: 1e-6, "\(activation)")
            let numeric = pre.indices.map { i -> Double in
                let x = Double(pre[i]), h = 1e-6
                let d = (EpilogueReference.activate(x + h, activation) - EpilogueReference.activate(x - h, activation)) / (2 * h)
                return d * Double(incoming[i])
            }
            assertClose(fast.array, numeric, tolerance: 1e-5, "\(activation)")
        }
    }

    func testBiasGradientIsColumnSums() {
        for (rows, cols) in [(5, 3), (4099, 7), (20000, 16)] {
            let g = Buffer(randomFloats(rows * cols, seed: 5))
            let fast = Buffer(repeating: Float(0), count: cols), slow = Buffer(repeating: 0.0, count: cols)
            Epilogue.biasGradient(g.pointer, rows: rows, columns: cols, into: fast.pointer)
            let gd = Buffer(toDouble(g.array))
            EpilogueReference.biasGradient(gd.pointer, rows: rows, columns: cols, into: slow.pointer)
            assertClose(fast.array, slow.array, tolerance: 1e-6, "\(rows)x\(cols)")
            let again = Buffer(repeating: Float(0), count: cols)
            Epilogue.biasGradient(g.pointer, rows: rows, columns: cols, into: again.pointer)
            XCTAssertTrue(again.array == fast.array, "deterministic")
            Epilogue.biasGradient(g.pointer, rows: rows, columns: cols, into: again.pointer, accumulate: true)
            assertClose(again.array, slow.array.map { 2 * $0 }, tolerance: 1e-6)
        }
    }
}
