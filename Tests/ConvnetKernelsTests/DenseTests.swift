import XCTest
@testable import ConvnetKernels

final class DenseTests: XCTestCase {
    let (batch, inF, outF) = (3, 11, 5)

    func testForwardIsGemmPlusEpilogue() {
        let x = Buffer(randomFloats(batch * inF, seed: 1)), w = Buffer(randomFloats(inF * outF, seed: 2))
        let b = Buffer(randomFloats(outF, seed: 3))
        let y = Buffer(repeating: Float(0), count: batch * outF), ref = Buffer(repeating: Float(0), count: batch * outF)
        Dense.forward(batch: batch, inFeatures: inF, outFeatures: outF, input: x.pointer, weights: w.pointer,
                      bias: b.pointer, activation: .relu, output: y.pointer)
        GEMMReference.gemm(m: batch, n: outF, k: inF, a: x.pointer, b: w.pointer, c: ref.pointer)
        EpilogueReference.biasActivation(ref.pointer, rows: batch, columns: outF, bias: b.pointer, activation: .relu)
        assertClose(y.array, ref.array)
    }

    /// L = sum(tanh(x W + b) * r); gradients through activationBackward + Dense.backward against
    /// central differences in Float64.
    func testBackwardMatchesFiniteDifferences() {
        let x = randomFloats(batch * inF, seed: 4), w = randomFloats(inF * outF, seed: 5), b = randomFloats(outF, seed: 6)
        let r = toDouble(randomFloats(batch * outF, seed: 7))
        func loss(_ xs: [Double], _ ws: [Double], _ bs: [Double]) -> Double {
            let y = Buffer(repeating: 0.0, count: batch * outF)
            let xb = Buffer(xs), wb = Buffer(ws), bb = Buffer(bs)
            GEMMReference.gemm(m: batch, n: outF, k: inF, a: xb.pointer, b: wb.pointer, c: y.pointer)
            EpilogueReference.biasActivation(y.pointer, rows: batch, columns: outF, bias: bb.pointer, activation: .tanh)
            return dot(y.array, r)
        }
        let (xd, wd, bd) = (toDouble(x), toDouble(w), toDouble(b))
        let y = Buffer(repeating: Float(0), count: batch * outF)
        let xb = Buffer(x), wb = Buffer(w), bb = Buffer(b)
        Dense.forward(batch: batch, inFeatures: inF, outFeatures: outF, input: xb.pointer, weights: wb.pointer,
                      bias: bb.pointer, activation: .tanh, output: y.pointer)
        let dy = Buffer(r.map(Float.init))
        Epilogue.activationBackward(dy.pointer, output: y.pointer, count: batch * outF, activation: .tanh)
        let dw = Buffer(repeating: Float(0), count: inF * outF), db = Buffer(repeating: Float(0), count: outF)
        let dx = Buffer(repeating: Float(0), count: batch * inF)
        Dense.backward(batch: batch, inFeatures: inF, outFeatures: outF, input: xb.pointer, weights: wb.pointer,
                       outputGradient: dy.pointer, weightGradient: dw.pointer, biasGradient: db.pointer,
                       inputGradient: dx.pointer)
        assertClose(dx.array, numericGradient(xd) { loss($0, wd, bd) }, tolerance: 1e-4, "dx")
        assertClose(dw.array, numericGradient(wd) { loss(xd, $0, bd) }, tolerance: 1e-4, "dW")
        assertClose(db.array, numericGradient(bd) { loss(xd, wd, $0) }, tolerance: 1e-4, "db")
    }
}
