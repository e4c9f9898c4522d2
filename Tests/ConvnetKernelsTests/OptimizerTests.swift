import XCTest
@testable import ConvnetKernels

final class OptimizerTests: XCTestCase {
    /// Two Keras Adam steps (lr 0.1) on p = (1, -2) with g1 = (0.5, -0.1), g2 = (-0.25, 0.3).
    /// Step 1: m = 0.1 g, v = 0.001 g^2, lr_t = 0.1 sqrt(0.001) / 0.1 = 0.0316228, and
    /// m / sqrt(v) = sign(g) sqrt(10), so p moves by 0.1 against the gradient's sign:
    /// (0.9000006, -1.9000032) (the 6e-7 and 3e-6 come from eps = 1e-7 next to sqrt(v)).
    /// Step 2: m = (0.02, 0.021), v = (3.1225e-4, 9.999e-5), lr_t = 0.1 sqrt(1 - 0.999^2) / 0.19
    /// = 0.0235317, p = (0.8733671, -1.9494217).
    /// The hyperparameters are Float32 as in Keras (Float(0.999) = 0.99900001), which moves
    /// 1 - beta2 by 1.3e-5 relative; the tolerances allow for that.
    func testAdamTwoStepsByHand() {
        let adam = Adam(learningRate: 0.1)
        XCTAssertEqual(adam.stepSize(step: 1), 0.031622777, accuracy: 1e-6)
        XCTAssertEqual(adam.stepSize(step: 2), 0.023531673, accuracy: 1e-6)
        let p = Buffer<Float>([1, -2]), m = Buffer<Float>([0, 0]), v = Buffer<Float>([0, 0])
        let g1 = Buffer<Float>([0.5, -0.1]), g2 = Buffer<Float>([-0.25, 0.3])
        adam.update(parameters: p.pointer, gradients: g1.pointer, m: m.pointer, v: v.pointer, count: 2, step: 1)
        XCTAssertEqual(p.array[0], 0.9000006, accuracy: 1e-6)
        XCTAssertEqual(p.array[1], -1.9000032, accuracy: 1e-6)
        adam.update(parameters: p.pointer, gradients: g2.pointer, m: m.pointer, v: v.pointer, count: 2, step: 2)
        XCTAssertEqual(m.array[0], 0.02, accuracy: 1e-7)
        XCTAssertEqual(m.array[1], 0.021, accuracy: 1e-7)
        XCTAssertEqual(v.array[0], 3.1225e-4, accuracy: 1e-8)
        XCTAssertEqual(v.array[1], 9.999e-5, accuracy: 1e-8)
        XCTAssertEqual(p.array[0], 0.8733671, accuracy: 2e-6)
        XCTAssertEqual(p.array[1], -1.9494217, accuracy: 2e-6)
    }

    /// Keras SGD, lr 0.1, momentum 0.9, same gradients: v1 = -0.1 g1 = (-0.05, 0.01),
    /// p1 = (0.95, -1.99); v2 = 0.9 v1 - 0.1 g2 = (-0.02, -0.021), p2 = (0.93, -2.011).
    func testSGDMomentumTwoStepsByHand() {
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        let p = Buffer<Float>([1, -2]), vel = Buffer<Float>([0, 0])
        let g1 = Buffer<Float>([0.5, -0.1]), g2 = Buffer<Float>([-0.25, 0.3])
        sgd.update(parameters: p.pointer, gradients: g1.pointer, velocity: vel.pointer, count: 2)
        XCTAssertEqual(p.array[0], 0.95, accuracy: 1e-6); XCTAssertEqual(p.array[1], -1.99, accuracy: 1e-6)
        sgd.update(parameters: p.pointer, gradients: g2.pointer, velocity: vel.pointer, count: 2)
        XCTAssertEqual(vel.array[0], -0.02, accuracy: 1e-6); XCTAssertEqual(vel.array[1], -0.021, accuracy: 1e-6)
        XCTAssertEqual(p.array[0], 0.93, accuracy: 1e-6); XCTAssertEqual(p.array[1], -2.011, accuracy: 1e-6)
        let plain = Buffer<Float>([1, -2])
        SGD(learningRate: 0.1).update(parameters: plain.pointer, gradients: g1.pointer, velocity: nil, count: 2)
        XCTAssertEqual(plain.array, [0.95, -1.99])
    }

    /// Many parameters (split over cores) against the per-element reference in Float64.
    func testUpdatesMatchReferenceOnLargeBuffers() {
        let count = 40_000
        let p0 = randomFloats(count, seed: 1), g = randomFloats(count, seed: 2)
        let p = Buffer(p0), m = Buffer(repeating: Float(0), count: count), v = Buffer(repeating: Float(0), count: count)
        let pr = Buffer(toDouble(p0)), mr = Buffer(repeating: 0.0, count: count), vr = Buffer(repeating: 0.0, count: count)
        let gb = Buffer(g), gd = Buffer(toDouble(g))
        for step in 1...3 {
            Adam().update(parameters: p.pointer, gradients: gb.pointer, m: m.pointer, v: v.pointer, count: count, step: step)
            OptimizerReference.adam(parameters: pr.pointer, gradients: gd.pointer, m: mr.pointer, v: vr.pointer, count: count,
                                    step: step, learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7)
        }
        assertClose(p.array, pr.array, tolerance: 1e-6)
        let s = Buffer(p0), vel = Buffer(repeating: Float(0), count: count)
        let sr = Buffer(toDouble(p0)), velr = Buffer(repeating: 0.0, count: count)
        for _ in 0..<3 {
            SGD(learningRate: 0.01, momentum: 0.9).update(parameters: s.pointer, gradients: gb.pointer, velocity: vel.pointer, count: count)
            OptimizerReference.sgd(parameters: sr.pointer, gradients: gd.pointer, velocity: velr.pointer, count: count,
                                   learningRate: 0.01, momentum: 0.9)
        }
        assertClose(s.array, sr.array, tolerance: 1e-6)
    }
}
