import XCTest
@testable import ConvnetKernels

final class SoftmaxCrossEntropyTests: XCTestCase {
    func testForwardAndBackwardMatchReference() {
        let (batch, classes) = (3, 5)
        let z = Buffer(randomFloats(batch * classes, seed: 1, range: -5...5))
        let labels = Buffer(randomLabels(batch, classes: classes, seed: 2))
        let p = Buffer(repeating: Float(0), count: batch * classes), pRef = Buffer(repeating: Float(0), count: batch * classes)
        // Label smoothing 0 (plain) and 0.15: the fast kernel's closed form against the
        // reference's sum over smoothed targets.
        for s: Float in [0, 0.15] {
            let loss = SoftmaxCrossEntropy.forward(logits: z.pointer, labels: labels.pointer, batch: batch, classes: classes,
                                                   probabilities: p.pointer, labelSmoothing: s)
            let lossRef = SoftmaxCrossEntropyReference.forward(logits: z.pointer, labels: labels.pointer, batch: batch,
                                                               classes: classes, probabilities: pRef.pointer, labelSmoothing: s)
            XCTAssertEqual(loss, lossRef, accuracy: 1e-5)
            assertClose(p.array, pRef.array, tolerance: 1e-6)
            let d = Buffer(repeating: Float(0), count: batch * classes), dRef = Buffer(repeating: Float(0), count: batch * classes)
            SoftmaxCrossEntropy.backward(probabilities: p.pointer, labels: labels.pointer, batch: batch, classes: classes,
                                         logitsGradient: d.pointer, labelSmoothing: s)
            SoftmaxCrossEntropyReference.backward(probabilities: pRef.pointer, labels: labels.pointer, batch: batch,
                                                  classes: classes, logitsGradient: dRef.pointer, labelSmoothing: s)
            assertClose(d.array, dRef.array, tolerance: 1e-6)
        }
    }

    func testSoftmaxAloneEqualsTheLossPathsProbabilities() {
        let z = Buffer(randomFloats(12, seed: 5, range: -3...3)), labels = Buffer<Int32>([0, 1, 2, 2])
        let p = Buffer(repeating: Float(0), count: 12), q = Buffer(repeating: Float(0), count: 12)
        _ = SoftmaxCrossEntropy.forward(logits: z.pointer, labels: labels.pointer, batch: 4, classes: 3, probabilities: p.pointer)
        SoftmaxCrossEntropy.softmax(logits: z.pointer, batch: 4, classes: 3, probabilities: q.pointer)
        XCTAssertTrue(p.array == q.array)
        for b in 0..<4 { XCTAssertEqual(q.array[(3 * b)..<(3 * b + 3)].reduce(0, +), 1, accuracy: 1e-6) }
    }

    func testUniformLogitsGiveLogK() {
        let z = Buffer([Float](repeating: 0.3, count: 10)), labels = Buffer<Int32>([4, 0])
        let p = Buffer(repeating: Float(0), count: 10)
        let loss = SoftmaxCrossEntropy.forward(logits: z.pointer, labels: labels.pointer, batch: 2, classes: 5,
                                               probabilities: p.pointer)
        XCTAssertEqual(loss, log(5), accuracy: 1e-6)
        XCTAssertEqual(p.array, [Float](repeating: 0.2, count: 10))
    }

    func testHugeLogitsStayFinite() {
        let z = Buffer<Float>([1000, 0, -1000]), labels = Buffer<Int32>([1])
        let p = Buffer(repeating: Float(0), count: 3)
        let loss = SoftmaxCrossEntropy.forward(logits: z.pointer, labels: labels.pointer, batch: 1, classes: 3,
                                               probabilities: p.pointer)
        XCTAssertEqual(loss, 1000, accuracy: 1e-3)
        XCTAssertEqual(p.array, [1, 0, 0])
    }

    func testGradientMatchesFiniteDifferences() {
        let (batch, classes) = (3, 4)
        let z = randomFloats(batch * classes, seed: 3, range: -2...2), labels = Buffer(randomLabels(batch, classes: classes, seed: 4))
        let numeric = numericGradient(toDouble(z)) { zs in
            let zb = Buffer(zs), p = Buffer(repeating: 0.0, count: batch * classes)
            return SoftmaxCrossEntropyReference.forward(logits: zb.pointer, labels: labels.pointer, batch: batch,
                                                        classes: classes, probabilities: p.pointer, labelSmoothing: 0)
        }
        let zb = Buffer(z), p = Buffer(repeating: Float(0), count: batch * classes), d = Buffer(repeating: Float(0), count: batch * classes)
        _ = SoftmaxCrossEntropy.forward(logits: zb.pointer, labels: labels.pointer, batch: batch, classes: classes,
                                        probabilities: p.pointer)
        SoftmaxCrossEntropy.backward(probabilities: p.pointer, labels: labels.pointer, batch: batch, classes: classes,
                                     logitsGradient: d.pointer)
        assertClose(d.array, numeric, tolerance: 1e-5)
    }

    func testCorrectCountUsesFirstMaximum() {
        let scores = Buffer<Float>([0.1, 0.7, 0.2,
                                    0.5, 0.5, 0.0,
                                    0.3, 0.3, 0.4])
        let labels = Buffer<Int32>([1, 0, 0])
        XCTAssertEqual(SoftmaxCrossEntropy.correctCount(scores: scores.pointer, labels: labels.pointer,
                                                        batch: 3, classes: 3), 2)
    }
}
