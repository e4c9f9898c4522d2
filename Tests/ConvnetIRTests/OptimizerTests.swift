import ConvnetTestSupport
import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// Adam and SGD updates against hand computation, and a few interpreter training steps.
final class OptimizerTests: XCTestCase {
    /// A graph with one weight p (3), its gradient as an input, and the optimizer's slots.
    func updateGraph(_ optimizer: OptimizerSetting) -> (Graph, [ParameterInfo]) {
        var g = Graph()
        let info = ParameterInfo(name: "w", layer: "dense", shape: [3], trainable: true, initializer: .zeros)
        let slots = IRBuilder.optimizerSlots(for: [info], optimizer)
        let p = g.input("w", .f32([3]), role: .parameter)
        let grad = g.input("grad", .f32([3]), role: .data)
        var slotValues: [String: ValueID] = [:]
        for s in slots { slotValues[s.name] = g.input(s.name, s.type, role: .optimizerSlot) }
        let step = g.input("step", .scalar, role: .data)
        let lr = g.input("lr", .scalar, role: .data)
        let out = OptimizerUpdate.append(optimizer, parameters: [(info, p, grad)], slots: slotValues,
                                         step: step, learningRate: lr, in: &g)
        g.outputs = out.keys.sorted().map { GraphOutput(name: $0, value: out[$0]!) }
        return (g, slots)
    }

    func testAdamMatchesHandComputation() throws {
        let (g, slots) = updateGraph(.adam(learningRate: 0.01))
        XCTAssertEqual(slots.map(\.name), ["w/m", "w/v"])
        XCTAssertEqual(Verifier.verify(g).count, 0)
        let p: [Float] = [0.5, -1, 2], grad: [Float] = [0.1, -0.3, 0.02]
        let m0: [Float] = [0.01, 0, -0.02], v0: [Float] = [0.001, 0.002, 0]
        let t: Float = 3, lr: Float = 0.01
        let out = try Interpreter<Float>().run(g, inputs: [
            "w": Tensor(shape: [3], scalars: p), "grad": Tensor(shape: [3], scalars: grad),
            "w/m": Tensor(shape: [3], scalars: m0), "w/v": Tensor(shape: [3], scalars: v0),
            "step": Tensor(scalar: t), "lr": Tensor(scalar: lr),
        ])
        // Keras: lr_t = lr*sqrt(1-b2^t)/(1-b1^t); m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
        // p -= lr_t * m / (sqrt(v) + 1e-7)
        let lrT = 0.01 * (1 - pow(0.999, 3.0)).squareRoot() / (1 - pow(0.9, 3.0))
        for i in 0..<3 {
            let m = 0.9 * Double(m0[i]) + 0.1 * Double(grad[i])
            let v = 0.999 * Double(v0[i]) + 0.001 * Double(grad[i]) * Double(grad[i])
            let newP = Double(p[i]) - lrT * m / (v.squareRoot() + 1e-7)
            XCTAssertEqual(Double(out["w/m"]!.scalars[i]), m, accuracy: 1e-6)
            XCTAssertEqual(Double(out["w/v"]!.scalars[i]), v, accuracy: 1e-7)
            XCTAssertEqual(Double(out["w"]!.scalars[i]), newP, accuracy: 1e-5)
        }
        // First step from zero slots moves each weight by about lr against the gradient's sign.
        let first = try Interpreter<Double>().run(g, inputs: [
            "w": Tensor(shape: [3], scalars: [0, 0, 0]), "grad": Tensor(shape: [3], scalars: [0.1, -0.3, 0.02]),
            "w/m": Tensor(shape: [3], scalars: [0, 0, 0]), "w/v": Tensor(shape: [3], scalars: [0, 0, 0]),
            "step": Tensor(scalar: 1), "lr": Tensor(scalar: 0.01),
        ])
        XCTAssertEqual(first["w"]!.scalars[0], -0.01, accuracy: 1e-6)
        XCTAssertEqual(first["w"]!.scalars[1], 0.01, accuracy: 1e-6)
    }

    func testSGDWithMomentumMatchesHandComputation() throws {
        let (g, slots) = updateGraph(.sgd(learningRate: 0.1, momentum: 0.9))
        XCTAssertEqual(slots.map(\.name), ["w/velocity"])
        let out = try Interpreter<Double>().run(g, inputs: [
            "w": Tensor(shape: [3], scalars: [1, 2, 3]), "grad": Tensor(shape: [3], scalars: [0.5, -1, 0]),
            "w/velocity": Tensor(shape: [3], scalars: [0.2, 0, -0.1]),
            "step": Tensor(scalar: 1), "lr": Tensor(scalar: 0.1),
        ])
        // v = 0.9 v - 0.1 g; p += v
        let v = [0.9 * 0.2 - 0.05, 0.1, -0.09]
        for i in 0..<3 {
            XCTAssertEqual(out["w/velocity"]!.scalars[i], v[i], accuracy: 1e-12)
            XCTAssertEqual(out["w"]!.scalars[i], [1.0, 2, 3][i] + v[i], accuracy: 1e-12)
        }
    }

    /// Keras 3 SGD with nesterov: v = mu v - lr g; p += mu v - lr g (with the new v).
    func testNesterovSGDMatchesKerasFormula() throws {
        let (g, slots) = updateGraph(.sgd(learningRate: 0.1, momentum: 0.9, nesterov: true))
        XCTAssertEqual(slots.map(\.name), ["w/velocity"])
        let grad = [0.5, -1, 0], v0 = [0.2, 0, -0.1], p = [1.0, 2, 3]
        let out = try Interpreter<Double>().run(g, inputs: [
            "w": Tensor(shape: [3], scalars: p), "grad": Tensor(shape: [3], scalars: grad),
            "w/velocity": Tensor(shape: [3], scalars: v0), "step": Tensor(scalar: 1), "lr": Tensor(scalar: 0.1),
        ])
        for i in 0..<3 {
            let v = 0.9 * v0[i] - 0.1 * grad[i]
            XCTAssertEqual(out["w/velocity"]!.scalars[i], v, accuracy: 1e-12)
            XCTAssertEqual(out["w"]!.scalars[i], p[i] + 0.9 * v - 0.1 * grad[i], accuracy: 1e-12)
        }
        // Without momentum, nesterov changes nothing: plain SGD, no slot.
        XCTAssertEqual(updateGraph(.sgd(learningRate: 0.1, momentum: 0, nesterov: true)).1, [])
    }

    /// Keras 3 AdamW: p -= lr * wd * p (the scheduled rate, not Adam's corrected one), then Adam.
    func testAdamWMatchesKerasFormula() throws {
        let (g, slots) = updateGraph(.adamw(learningRate: 0.01, weightDecay: 0.05))
        XCTAssertEqual(slots.map(\.name), ["w/m", "w/v"])
        let p = [0.5, -1, 2], grad = [0.1, -0.3, 0.02], m0 = [0.01, 0, -0.02], v0 = [0.001, 0.002, 0]
        let (t, lr, wd) = (3.0, 0.01, 0.05)
        let out = try Interpreter<Double>().run(g, inputs: [
            "w": Tensor(shape: [3], scalars: p), "grad": Tensor(shape: [3], scalars: grad),
            "w/m": Tensor(shape: [3], scalars: m0), "w/v": Tensor(shape: [3], scalars: v0),
            "step": Tensor(scalar: t), "lr": Tensor(scalar: lr),
        ])
        let lrT = lr * (1 - pow(0.999, t)).squareRoot() / (1 - pow(0.9, t))
        for i in 0..<3 {
            let m = 0.9 * m0[i] + 0.1 * grad[i]
            let v = 0.999 * v0[i] + 0.001 * grad[i] * grad[i]
            let decayed = p[i] - lr * wd * p[i]
            XCTAssertEqual(out["w"]!.scalars[i], decayed - lrT * m / (v.squareRoot() + 1e-7), accuracy: 1e-12)
            XCTAssertEqual(out["w/m"]!.scalars[i], m, accuracy: 1e-12)
        }
        // With no gradient and fresh slots, only the decay moves the weight.
        let still = try Interpreter<Double>().run(g, inputs: [
            "w": Tensor(shape: [3], scalars: p), "grad": Tensor(shape: [3], scalars: [0, 0, 0]),
            "w/m": Tensor(shape: [3], scalars: [0, 0, 0]), "w/v": Tensor(shape: [3], scalars: [0, 0, 0]),
            "step": Tensor(scalar: 1), "lr": Tensor(scalar: lr),
        ])
        XCTAssertEqual(still["w"]!.scalars, p.map { $0 * (1 - lr * wd) })
    }

    func testPlainSGDHasNoSlot() throws {
        let (g, slots) = updateGraph(.sgd(learningRate: 0.1, momentum: 0))
        XCTAssertEqual(slots, [])
        let out = try Interpreter<Double>().run(g, inputs: [
            "w": Tensor(shape: [3], scalars: [1, 2, 3]), "grad": Tensor(shape: [3], scalars: [0.5, -1, 0]),
            "step": Tensor(scalar: 1), "lr": Tensor(scalar: 0.1),
        ])
        XCTAssertEqual(out["w"]!.scalars, [0.95, 2.1, 3])
    }

    /// Runs `steps` training steps on a fixed batch; returns the loss of each.
    func train(_ m: CheckedModel, _ optimizer: OptimizerSetting, steps: Int) throws -> [Float] {
        let batch = 4
        let program = try IRBuilder.trainingStep(m, batch: batch, optimizer: optimizer)
        var state: [String: Tensor<Float>] = initialValues(program)
        var rng = TestRandom(seed: 11)
        let images = Tensor<Float>(shape: [batch] + m.inputShape.dims,
                                   scalars: rng.values(batch * m.inputShape.elementCount!, 0, 1).map { Float($0) })
        var losses: [Float] = []
        let interpreter = Interpreter<Float>()
        for t in 1...steps {
            var inputs = state
            inputs[IRProgram.Names.images] = images
            inputs[IRProgram.Names.labels] = Tensor(labels: [0, 1, 2, 1])
            inputs[IRProgram.Names.step] = Tensor(scalar: Float(t))
            inputs[IRProgram.Names.learningRate] = Tensor(scalar: Float(optimizer.learningRate))
            inputs[IRProgram.Names.dropoutSeed] = Tensor(.i32, shape: [], scalars: [Float(t)])
            let out = try interpreter.run(program.graph, inputs: inputs)
            losses.append(out[IRProgram.Names.loss]!.scalar)
            for p in program.parameters + program.optimizerSlots { state[p.name] = out[p.name]! }
            let correct = out[IRProgram.Names.correct]!.scalar
            XCTAssertTrue((0...Float(batch)).contains(correct))
        }
        return losses
    }

    func testAdamStepsReduceLoss() throws {
        let losses = try train(smallModel(), .adam(learningRate: 0.01), steps: 8)
        XCTAssertLessThan(losses.last!, losses.first! * 0.9, "\(losses)")
    }

    func testSGDMomentumStepsReduceLoss() throws {
        let losses = try train(smallModel(), .sgd(learningRate: 0.1, momentum: 0.9), steps: 8)
        XCTAssertLessThan(losses.last!, losses.first! * 0.9, "\(losses)")
    }

    func testBatchNormModelTrainsAndUpdatesMovingStatistics() throws {
        let losses = try train(otherLayersModel(), .adam(learningRate: 0.01), steps: 6)
        XCTAssertLessThan(losses.last!, losses.first!, "\(losses)")
    }
}
