import XCTest
@testable import ConvnetKernels

final class DepthwiseConvTests: XCTestCase {
    /// Odd sizes, stride 1, 2 and 3 (and 1x2), same and valid, multiplier 1, 2 and 3, 3x3, 5x5
    /// and 3x5 kernels, channel counts below 16, exactly 16, and not a multiple of 16.
    static let shapes: [DepthwiseGeometry] = [
        DepthwiseGeometry(batch: 2, inHeight: 7, inWidth: 5, inChannels: 3, kernelHeight: 3, kernelWidth: 3, padding: .same),
        DepthwiseGeometry(batch: 2, inHeight: 9, inWidth: 11, inChannels: 21, kernelHeight: 3, kernelWidth: 3,
                          stride: 2, padding: .same),
        DepthwiseGeometry(batch: 3, inHeight: 8, inWidth: 7, inChannels: 19, kernelHeight: 5, kernelWidth: 5,
                          multiplier: 2, padding: .valid),
        DepthwiseGeometry(batch: 1, inHeight: 10, inWidth: 9, inChannels: 16, kernelHeight: 5, kernelWidth: 5,
                          stride: 2, padding: .valid),
        DepthwiseGeometry(batch: 2, inHeight: 13, inWidth: 12, inChannels: 40, kernelHeight: 3, kernelWidth: 3,
                          multiplier: 2, padding: .same),
        DepthwiseGeometry(batch: 2, inHeight: 6, inWidth: 17, inChannels: 8, kernelHeight: 3, kernelWidth: 3,
                          multiplier: 2, stride: 2, padding: .same),
        DepthwiseGeometry(batch: 2, inHeight: 7, inWidth: 10, inChannels: 17, kernelHeight: 3, kernelWidth: 5,
                          multiplier: 3, strideHeight: 1, strideWidth: 2, padding: .same),
        // Kernel larger than the input: most taps fall in the padding.
        DepthwiseGeometry(batch: 2, inHeight: 2, inWidth: 1, inChannels: 18, kernelHeight: 5, kernelWidth: 5, padding: .same),
        DepthwiseGeometry(batch: 1, inHeight: 20, inWidth: 21, inChannels: 33, kernelHeight: 3, kernelWidth: 3, padding: .same),
        DepthwiseGeometry(batch: 2, inHeight: 11, inWidth: 14, inChannels: 24, kernelHeight: 5, kernelWidth: 5,
                          stride: 3, padding: .same),
        DepthwiseGeometry(batch: 2, inHeight: 9, inWidth: 20, inChannels: 5, kernelHeight: 5, kernelWidth: 5,
                          multiplier: 2, stride: 2, padding: .same),
        // Wide enough for eight-pixel runs in every stride-2 class of the input gradient.
        DepthwiseGeometry(batch: 1, inHeight: 6, inWidth: 37, inChannels: 20, kernelHeight: 3, kernelWidth: 3,
                          stride: 2, padding: .same),
    ]

    /// Sizes and parameter counts as Keras gives them.
    func testGeometryFollowsKeras() {
        // DepthwiseConv2D(3, strides=2, depth_multiplier=2, padding="same") on 9x11x21: 5x6x42, 3*3*21*2 + 42 parameters.
        let g = DepthwiseGeometry(batch: 1, inHeight: 9, inWidth: 11, inChannels: 21, kernelHeight: 3, kernelWidth: 3,
                                  multiplier: 2, stride: 2, padding: .same)
        XCTAssertEqual([g.outHeight, g.outWidth, g.outChannels], [5, 6, 42])
        XCTAssertEqual(g.weightCount + g.outChannels, 3 * 3 * 21 * 2 + 42)
        XCTAssertEqual(g.macs, 5 * 6 * 42 * 9)
        // TensorFlow's split of odd 'same' padding: the extra row goes after.
        XCTAssertEqual([g.padTop, g.padLeft], [1, 1])
        let even = DepthwiseGeometry(batch: 1, inHeight: 8, inWidth: 8, inChannels: 1, kernelHeight: 3, kernelWidth: 3,
                                     stride: 2, padding: .same)
        XCTAssertEqual([even.outHeight, even.padTop, even.spatial.padBottom], [4, 0, 1])
        let valid = DepthwiseGeometry(batch: 1, inHeight: 8, inWidth: 7, inChannels: 2, kernelHeight: 5, kernelWidth: 5,
                                      padding: .valid)
        XCTAssertEqual([valid.outHeight, valid.outWidth], [4, 3])
    }

    /// A hand-computed case: one channel, 3x3 ones, 'same': each output is the sum of its
    /// in-range 3x3 neighbourhood; multiplier 2 with the second kernel all twos doubles it.
    func testHandComputedNeighbourhoodSums() {
        let g = DepthwiseGeometry(batch: 1, inHeight: 3, inWidth: 3, inChannels: 1, kernelHeight: 3, kernelWidth: 3,
                                  multiplier: 2, padding: .same)
        let x = Buffer((1...9).map(Float.init))                           // (1, 3, 3, 1)
        let w = Buffer([Float]((0..<9).map { _ in [Float(1), 2] }.joined()))  // (3, 3, 1, 2)
        let y = Buffer(repeating: Float.nan, count: g.outputCount)        // (1, 3, 3, 2)
        DepthwiseConv.forward(g, input: x.pointer, weights: w.pointer, output: y.pointer)
        let sums: [Float] = [12, 21, 16, 27, 45, 33, 24, 39, 28]
        XCTAssertEqual(y.array, [Float](sums.map { [$0, 2 * $0] }.joined()))
    }

    func testForwardMatchesReference() {
        for (s, g) in Self.shapes.enumerated() {
            let x = Buffer(randomFloats(g.inputCount, seed: 100 + UInt64(s)))
            let w = Buffer(randomFloats(g.weightCount, seed: 200 + UInt64(s)))
            let b = Buffer(randomFloats(g.outChannels, seed: 300 + UInt64(s)))
            for activation in EpilogueActivation.allCases {
                for bias in [nil, UnsafePointer(b.pointer)] {
                    let y = Buffer(repeating: Float.nan, count: g.outputCount)
                    let ref = Buffer(repeating: Float.nan, count: g.outputCount)
                    DepthwiseConv.forward(g, input: x.pointer, weights: w.pointer, bias: bias, activation: activation,
                                          output: y.pointer)
                    DepthwiseConvReference.forward(g, input: x.pointer, weights: w.pointer, bias: bias, activation: activation,
                                                   output: ref.pointer)
                    assertClose(y.array, ref.array, "shape \(s) \(activation) bias \(bias != nil)")
                }
            }
        }
    }

    func testBackwardPassesMatchReference() {
        for (s, g) in Self.shapes.enumerated() {
            let x = Buffer(randomFloats(g.inputCount, seed: 400 + UInt64(s)))
            let w = Buffer(randomFloats(g.weightCount, seed: 500 + UInt64(s)))
            let dy = Buffer(randomFloats(g.outputCount, seed: 600 + UInt64(s)))
            let dx = Buffer(repeating: Float.nan, count: g.inputCount), dxRef = Buffer(repeating: Float.nan, count: g.inputCount)
            let dw = Buffer(repeating: Float.nan, count: g.weightCount), dwRef = Buffer(repeating: Float.nan, count: g.weightCount)
            let db = Buffer(repeating: Float.nan, count: g.outChannels), dbRef = Buffer(repeating: Float.nan, count: g.outChannels)
            DepthwiseConv.backwardInput(g, outputGradient: dy.pointer, weights: w.pointer, inputGradient: dx.pointer)
            DepthwiseConv.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: dw.pointer)
            DepthwiseConv.backwardBias(g, outputGradient: dy.pointer, biasGradient: db.pointer)
            DepthwiseConvReference.backwardInput(g, outputGradient: dy.pointer, weights: w.pointer, inputGradient: dxRef.pointer)
            DepthwiseConvReference.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: dwRef.pointer)
            DepthwiseConvReference.backwardBias(g, outputGradient: dy.pointer, biasGradient: dbRef.pointer)
            assertClose(dx.array, dxRef.array, "input grad shape \(s)")
            assertClose(dw.array, dwRef.array, "filter grad shape \(s)")
            assertClose(db.array, dbRef.array, "bias grad shape \(s)")
        }
    }

    func testGradientsAccumulateAndRepeatBitForBit() {
        let g = Self.shapes[4]
        let x = Buffer(randomFloats(g.inputCount, seed: 1)), dy = Buffer(randomFloats(g.outputCount, seed: 2))
        let once = Buffer(repeating: Float.nan, count: g.weightCount)
        DepthwiseConv.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: once.pointer)
        let again = Buffer(repeating: Float.nan, count: g.weightCount)
        DepthwiseConv.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: again.pointer)
        XCTAssertEqual(once.array, again.array)
        let twice = Buffer(once.array)
        DepthwiseConv.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: twice.pointer,
                                     accumulate: true)
        assertClose(twice.array, once.array.map { 2 * $0 })
        let bias = Buffer(repeating: Float(0), count: g.outChannels), biasRef = Buffer(repeating: Float(0), count: g.outChannels)
        DepthwiseConvReference.backwardBias(g, outputGradient: dy.pointer, biasGradient: biasRef.pointer)
        bias.pointer.update(from: biasRef.pointer, count: g.outChannels)
        DepthwiseConv.backwardBias(g, outputGradient: dy.pointer, biasGradient: bias.pointer, accumulate: true)
        assertClose(bias.array, biasRef.array.map { 2 * $0 })
    }

    /// The reference's gradients, in Float64, against central differences of its forward pass
    /// for L = sum(y * r): dL/dx = backwardInput(r), dL/dK = backwardFilter(r), dL/db = backwardBias(r).
    func testReferenceGradientsMatchFiniteDifferences() {
        let tiny = [
            DepthwiseGeometry(batch: 2, inHeight: 5, inWidth: 4, inChannels: 2, kernelHeight: 3, kernelWidth: 3,
                              multiplier: 2, stride: 2, padding: .same),
            DepthwiseGeometry(batch: 1, inHeight: 6, inWidth: 5, inChannels: 3, kernelHeight: 3, kernelWidth: 3, padding: .valid),
            DepthwiseGeometry(batch: 1, inHeight: 4, inWidth: 6, inChannels: 2, kernelHeight: 2, kernelWidth: 3,
                              multiplier: 3, strideHeight: 1, strideWidth: 2, padding: .same),
        ]
        for (s, g) in tiny.enumerated() {
            let x = toDouble(randomFloats(g.inputCount, seed: 700 + UInt64(s)))
            let w = toDouble(randomFloats(g.weightCount, seed: 800 + UInt64(s)))
            let b = toDouble(randomFloats(g.outChannels, seed: 900 + UInt64(s)))
            let r = toDouble(randomFloats(g.outputCount, seed: 1000 + UInt64(s)))
            func loss(_ xs: [Double], _ ws: [Double], _ bs: [Double]) -> Double {
                let xb = Buffer(xs), wb = Buffer(ws), bb = Buffer(bs), y = Buffer(repeating: 0.0, count: g.outputCount)
                DepthwiseConvReference.forward(g, input: xb.pointer, weights: wb.pointer, bias: bb.pointer, output: y.pointer)
                return dot(y.array, r)
            }
            let rb = Buffer(r), xb = Buffer(x), wb = Buffer(w)
            let dx = Buffer(repeating: 0.0, count: g.inputCount), dw = Buffer(repeating: 0.0, count: g.weightCount)
            let db = Buffer(repeating: 0.0, count: g.outChannels)
            DepthwiseConvReference.backwardInput(g, outputGradient: rb.pointer, weights: wb.pointer, inputGradient: dx.pointer)
            DepthwiseConvReference.backwardFilter(g, input: xb.pointer, outputGradient: rb.pointer, weightGradient: dw.pointer)
            DepthwiseConvReference.backwardBias(g, outputGradient: rb.pointer, biasGradient: db.pointer)
            assertClose(dx.array, numericGradient(x) { loss($0, w, b) }, tolerance: 1e-7, "dx shape \(s)")
            assertClose(dw.array, numericGradient(w) { loss(x, $0, b) }, tolerance: 1e-7, "dK shape \(s)")
            assertClose(db.array, numericGradient(b) { loss(x, w, $0) }, tolerance: 1e-7, "db shape \(s)")
        }
    }

    /// A separable convolution's pointwise half (1x1, stride 1) is one GEMM on the activations
    /// as they are, (B*H*W, Cin*M) x (Cin*M, F): `Conv2D` takes that path with no scratch. Checked on a
    /// depthwise output with a channel count that is not a multiple of 16, with bias and relu.
    func testPointwiseHalfOfSeparableIsOneGEMM() {
        let d = Self.shapes[2]
        let g = ConvGeometry(batch: d.batch, inHeight: d.outHeight, inWidth: d.outWidth, inChannels: d.outChannels,
                             kernelHeight: 1, kernelWidth: 1, filters: 24, padding: .same)
        XCTAssertTrue(g.isPointwise)
        XCTAssertEqual(Conv2D.scratchCount(g), 0)
        let x = Buffer(randomFloats(d.inputCount, seed: 11)), dwk = Buffer(randomFloats(d.weightCount, seed: 12))
        let mid = Buffer(repeating: Float.nan, count: d.outputCount)
        DepthwiseConv.forward(d, input: x.pointer, weights: dwk.pointer, output: mid.pointer)
        let pw = Buffer(randomFloats(g.weightCount, seed: 13)), bias = Buffer(randomFloats(g.filters, seed: 14))
        let y = Buffer(repeating: Float.nan, count: g.outputCount), ref = Buffer(repeating: Float.nan, count: g.outputCount)
        let none = Buffer(repeating: Float(0), count: 0)
        Conv2D.forward(g, input: mid.pointer, weights: pw.pointer, bias: bias.pointer, activation: .relu,
                       output: y.pointer, scratch: none.mutableBuffer)
        ConvReference.forward(g, input: mid.pointer, weights: pw.pointer, output: ref.pointer)
        EpilogueReference.biasActivation(ref.pointer, rows: g.outputCount / g.filters, columns: g.filters,
                                         bias: bias.pointer, activation: .relu)
        assertClose(y.array, ref.array)
        let dy = Buffer(randomFloats(g.outputCount, seed: 15))
        let dx = Buffer(repeating: Float.nan, count: g.inputCount), dxRef = Buffer(repeating: Float.nan, count: g.inputCount)
        let dw = Buffer(repeating: Float.nan, count: g.weightCount), dwRef = Buffer(repeating: Float.nan, count: g.weightCount)
        Conv2D.backwardInput(g, outputGradient: dy.pointer, weights: pw.pointer, inputGradient: dx.pointer, scratch: none.mutableBuffer)
        Conv2D.backwardFilter(g, input: mid.pointer, outputGradient: dy.pointer, weightGradient: dw.pointer,
                              scratch: none.mutableBuffer)
        ConvReference.backwardInput(g, outputGradient: dy.pointer, weights: pw.pointer, inputGradient: dxRef.pointer)
        ConvReference.backwardFilter(g, input: mid.pointer, outputGradient: dy.pointer, weightGradient: dwRef.pointer)
        assertClose(dx.array, dxRef.array)
        assertClose(dw.array, dwRef.array)
    }
}

/// The kernels against Keras itself (`DepthwiseKerasFixture`, made by
/// scripts/make_depthwise_fixture.py): the kernel layout (KH, KW, Cin, M), output channel
/// c*M + m, TensorFlow's 'same' split, and the gradients of L = sum(y * r).
final class DepthwiseKerasTests: XCTestCase {
    func testFastAndReferenceKernelsMatchKeras() {
        for fixture in DepthwiseKerasFixture.cases {
            let g = DepthwiseGeometry(batch: fixture.input[0], inHeight: fixture.input[1], inWidth: fixture.input[2],
                                      inChannels: fixture.input[3], kernelHeight: fixture.kernel[0],
                                      kernelWidth: fixture.kernel[1], multiplier: fixture.multiplier,
                                      strideHeight: fixture.strides[0], strideWidth: fixture.strides[1],
                                      padding: ConvPadding(rawValue: fixture.padding)!)
            let activation = EpilogueActivation(rawValue: fixture.activation)!
            XCTAssertEqual(g.outputCount, fixture.y.count, fixture.name)
            guard g.outputCount == fixture.y.count else { continue }
            let x = Buffer(fixture.x), k = Buffer(fixture.depthwiseKernel), b = Buffer(fixture.bias)
            let y = Buffer(repeating: Float.nan, count: g.outputCount), yRef = Buffer(repeating: Float.nan, count: g.outputCount)
            DepthwiseConv.forward(g, input: x.pointer, weights: k.pointer, bias: b.pointer, activation: activation, output: y.pointer)
            DepthwiseConvReference.forward(g, input: x.pointer, weights: k.pointer, bias: b.pointer, activation: activation,
                                           output: yRef.pointer)
            assertClose(y.array, fixture.y, "forward \(fixture.name)")
            assertClose(yRef.array, fixture.y, "reference forward \(fixture.name)")
            // dY before the activation: r through the activation's backward, written from y.
            let dy = Buffer(fixture.r)
            Epilogue.activationBackward(dy.pointer, output: y.pointer, count: g.outputCount, activation: activation)
            let dx = Buffer(repeating: Float.nan, count: g.inputCount), dk = Buffer(repeating: Float.nan, count: g.weightCount)
            let db = Buffer(repeating: Float.nan, count: g.outChannels)
            DepthwiseConv.backwardInput(g, outputGradient: dy.pointer, weights: k.pointer, inputGradient: dx.pointer)
            DepthwiseConv.backwardFilter(g, input: x.pointer, outputGradient: dy.pointer, weightGradient: dk.pointer)
            DepthwiseConv.backwardBias(g, outputGradient: dy.pointer, biasGradient: db.pointer)
            assertClose(dx.array, fixture.dx, "dx \(fixture.name)")
            assertClose(dk.array, fixture.dKernel, "dKernel \(fixture.name)")
            assertClose(db.array, fixture.dBias, "dBias \(fixture.name)")
        }
    }
}
