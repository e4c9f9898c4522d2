import XCTest
@testable import ConvnetKernels

final class ConvTests: XCTestCase {
    /// Odd shapes: stride 2 and 3, same and valid, 1x1 (pointwise and strided), 5x5,
    /// a non-square kernel and input, batch 3.
    static let shapes: [ConvGeometry] = [
        ConvGeometry(batch: 3, inHeight: 7, inWidth: 5, inChannels: 3, kernelHeight: 3, kernelWidth: 3, filters: 4, padding: .same),
        ConvGeometry(batch: 2, inHeight: 9, inWidth: 6, inChannels: 2, kernelHeight: 3, kernelWidth: 3, filters: 5, stride: 2, padding: .same),
        ConvGeometry(batch: 3, inHeight: 8, inWidth: 7, inChannels: 3, kernelHeight: 5, kernelWidth: 5, filters: 2, padding: .valid),
        ConvGeometry(batch: 2, inHeight: 6, inWidth: 5, inChannels: 4, kernelHeight: 1, kernelWidth: 1, filters: 3, padding: .same),
        ConvGeometry(batch: 2, inHeight: 7, inWidth: 9, inChannels: 3, kernelHeight: 1, kernelWidth: 1, filters: 2, stride: 2, padding: .valid),
        ConvGeometry(batch: 1, inHeight: 5, inWidth: 4, inChannels: 2, kernelHeight: 2, kernelWidth: 3, filters: 3, stride: 2, padding: .same),
        ConvGeometry(batch: 3, inHeight: 10, inWidth: 8, inChannels: 2, kernelHeight: 5, kernelWidth: 5, filters: 3, stride: 3, padding: .same),
        ConvGeometry(batch: 2, inHeight: 6, inWidth: 9, inChannels: 2, kernelHeight: 3, kernelWidth: 3, filters: 2,
                     strideHeight: 1, strideWidth: 2, padding: .valid),
        // Kernel wider than the input: most taps fall in the padding.
        ConvGeometry(batch: 2, inHeight: 2, inWidth: 1, inChannels: 3, kernelHeight: 5, kernelWidth: 5, filters: 2,
                     strideHeight: 1, strideWidth: 3, padding: .same),
    ]

    func testIm2colMatchesElementwiseReference() {
        for (s, g) in Self.shapes.enumerated() {
            let x = Buffer(randomFloats(g.inputCount, seed: UInt64(s)))
            let count = g.batch * g.pixelsPerImage * g.patchSize
            let fast = Buffer(repeating: Float.nan, count: count), slow = Buffer(repeating: Float.nan, count: count)
            Im2col.im2col(g, input: x.pointer, images: 0..<g.batch, columns: fast.pointer)
            ConvReference.im2col(g, input: x.pointer, columns: slow.pointer)
            XCTAssertTrue(fast.array == slow.array, "shape \(s)")
        }
    }

    /// col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>.
    func testCol2imIsTheAdjointOfIm2col() {
        for (s, g) in Self.shapes.enumerated() {
            let count = g.batch * g.pixelsPerImage * g.patchSize
            let x = Buffer(randomFloats(g.inputCount, seed: 10 + UInt64(s)))
            let c = Buffer(randomFloats(count, seed: 20 + UInt64(s)))
            let col = Buffer(repeating: Float(0), count: count)
            let back = Buffer(repeating: Float.nan, count: g.inputCount)
            Im2col.im2col(g, input: x.pointer, images: 0..<g.batch, columns: col.pointer)
            Im2col.col2im(g, columns: c.pointer, images: 0..<g.batch, inputGradient: back.pointer)
            let lhs = dot(toDouble(col.array), toDouble(c.array)), rhs = dot(toDouble(x.array), toDouble(back.array))
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)), "shape \(s)")
        }
    }

    /// Forward, filter and input gradients of the im2col+GEMM kernels against direct convolution,
    /// with scratch for the whole batch and for one image at a time.
    func testFastConvMatchesDirectConvolution() {
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
            for perChunk in [Int.max, 1, 2] {
                let scratch = Buffer(repeating: Float.nan, count: Conv2D.scratchCount(g, imagesPerChunk: perChunk))
                let y = Buffer(repeating: Float.nan, count: g.outputCount)
                let dw = Buffer(repeating: Float.nan, count: g.weightCount)
                let dx = Buffer(repeating: Float.nan, count: g.inputCount)
                Conv2D.forward(g, input: x.pointer, weights: w.pointer, output: y.pointer, scratch: scratch.mutableBuffer)
                Conv2D.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: dw.pointer,
                                      scratch: scratch.mutableBuffer)
                Conv2D.backwardInput(g, outputGradient: dy.pointer, weights: w.pointer, inputGradient: dx.pointer,
                                     scratch: scratch.mutableBuffer)
                assertClose(y.array, yRef.array, "forward shape \(s) chunk \(perChunk)")
                assertClose(dw.array, dwRef.array, "filter grad shape \(s) chunk \(perChunk)")
                assertClose(dx.array, dxRef.array, "input grad shape \(s) chunk \(perChunk)")
            }
        }
    }

    func testFusedBiasAndActivationEqualConvThenEpilogue() {
        let g = Self.shapes[1]
        let x = Buffer(randomFloats(g.inputCount, seed: 7)), w = Buffer(randomFloats(g.weightCount, seed: 8))
        let bias = Buffer(randomFloats(g.filters, seed: 9))
        let scratch = Buffer(repeating: Float(0), count: Conv2D.scratchCount(g))
        for activation in EpilogueActivation.allCases {
            let y = Buffer(repeating: Float(0), count: g.outputCount), ref = Buffer(repeating: Float(0), count: g.outputCount)
            Conv2D.forward(g, input: x.pointer, weights: w.pointer, bias: bias.pointer, activation: activation,
                           output: y.pointer, scratch: scratch.mutableBuffer)
            ConvReference.forward(g, input: x.pointer, weights: w.pointer, output: ref.pointer)
            EpilogueReference.biasActivation(ref.pointer, rows: g.outputCount / g.filters, columns: g.filters,
                                             bias: bias.pointer, activation: activation)
            assertClose(y.array, ref.array, "\(activation)")
        }
    }

    func testFilterGradientAccumulates() {
        let g = Self.shapes[0]
        let x = Buffer(randomFloats(g.inputCount, seed: 1)), dy = Buffer(randomFloats(g.outputCount, seed: 2))
        let scratch = Buffer(repeating: Float(0), count: Conv2D.scratchCount(g, imagesPerChunk: 1))
        let once = Buffer(repeating: Float(0), count: g.weightCount)
        Conv2D.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: once.pointer,
                              scratch: scratch.mutableBuffer)
        let twice = Buffer(once.array)
        Conv2D.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: twice.pointer,
                              accumulate: true, scratch: scratch.mutableBuffer)
        assertClose(twice.array, once.array.map { 2 * $0 })
    }

    /// Both backward kernels against central differences of the Float64 direct convolution,
    /// for L = sum(y * r): dL/dx = backwardInput(r), dL/dW = backwardFilter(r).
    func testGradientsMatchFiniteDifferences() {
        for s in [1, 5, 6] {
            let g = Self.shapes[s]
            let x = randomFloats(g.inputCount, seed: 400 + UInt64(s)), w = randomFloats(g.weightCount, seed: 500 + UInt64(s))
            let r = randomFloats(g.outputCount, seed: 600 + UInt64(s))
            let rD = toDouble(r)
            func loss(_ xs: [Double], _ ws: [Double]) -> Double {
                let xb = Buffer(xs), wb = Buffer(ws), y = Buffer(repeating: 0.0, count: g.outputCount)
                ConvReference.forward(g, input: xb.pointer, weights: wb.pointer, output: y.pointer)
                return dot(y.array, rD)
            }
            let numericX = numericGradient(toDouble(x)) { loss($0, toDouble(w)) }
            let numericW = numericGradient(toDouble(w)) { loss(toDouble(x), $0) }
            let scratch = Buffer(repeating: Float(0), count: Conv2D.scratchCount(g))
            let dx = Buffer(repeating: Float(0), count: g.inputCount), dw = Buffer(repeating: Float(0), count: g.weightCount)
            let xb = Buffer(x), wb = Buffer(w), rb = Buffer(r)
            Conv2D.backwardInput(g, outputGradient: rb.pointer, weights: wb.pointer, inputGradient: dx.pointer,
                                 scratch: scratch.mutableBuffer)
            Conv2D.backwardFilter(g, input: xb.pointer, outputGradient: rb.pointer, weightGradient: dw.pointer,
                                  scratch: scratch.mutableBuffer)
            assertClose(dx.array, numericX, tolerance: 1e-4, "dx shape \(s)")
            assertClose(dw.array, numericW, tolerance: 1e-4, "dW shape \(s)")
        }
    }
}
