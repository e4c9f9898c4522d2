import ConvnetTestSupport
import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// Data parallelism on the reference interpreter: N shards' gradients, summed in a fixed order
/// and divided by N in the update program, give the same new weights as one training step on
/// the whole batch.
final class DataParallelTests: XCTestCase {
    /// Inputs for a step on `batch` examples of `m`: Keras-style weights, images in [-1, 1).
    func batchInputs(_ m: CheckedModel, batch: Int, labels: [Int]) throws -> (images: [Float], weights: [String: Tensor<Float>]) {
        var rng = TestRandom(seed: 11)
        let program = try IRBuilder.inference(m, batch: 1)
        var weights: [String: Tensor<Float>] = initialValues(program)
        for p in program.parameters where p.trainable && p.initializer.limit == 0 {
            weights[p.name] = Tensor(shape: p.shape, scalars: rng.values(p.elementCount, -0.2, 0.2).map { Float($0) })
        }
        let images = rng.values(batch * m.inputShape.elementCount!, -1, 1).map { Float($0) }
        return (images, weights)
    }

    /// New weights from one `trainingStep` on the whole batch, and from `cores` gradient steps
    /// plus one update step; both start from the same weights and zero slots.
    func compare(_ optimizer: OptimizerSetting, cores: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let m = smallModel()
        let labels = [0, 2, 1, 1, 0, 2, 2, 1]
        let batch = labels.count
        let (images, weights) = try batchInputs(m, batch: batch, labels: labels)
        let imageSize = m.inputShape.elementCount!
        let lr: Float = 0.01
        let interpreter = Interpreter<Float>()

        // One step on the whole batch.
        let whole = try IRBuilder.trainingStep(m, batch: batch, optimizer: optimizer)
        var inputs = weights
        for s in whole.optimizerSlots { inputs[s.name] = Tensor(filling: s.type) }
        inputs[IRProgram.Names.images] = Tensor(shape: [batch] + m.inputShape.dims, scalars: images)
        inputs[IRProgram.Names.labels] = Tensor(labels: labels)
        inputs[IRProgram.Names.step] = Tensor(scalar: 1)
        inputs[IRProgram.Names.learningRate] = Tensor(scalar: lr)
        let expected = try interpreter.run(whole.graph, inputs: inputs)

        // N gradient steps, a fixed-order sum, one update: the programs cut out of the step's IR.
        let set = try DataParallelProgramSet(trainingStep: whole, cores: cores) { b in
            try IRBuilder.trainingStep(m, batch: b, optimizer: optimizer)
        }
        let split = set.split
        let gradProgram = set.gradient
        XCTAssertEqual(Verifier.verify(gradProgram.graph).map(\.message), [], file: file, line: line)
        var summed: [String: Tensor<Float>] = [:]
        var lossSum: Float = 0, correct: Float = 0
        for core in 0..<cores {
            let shard = split.shard(core)
            var coreInputs = weights
            coreInputs[IRProgram.Names.images] = Tensor(
                shape: [split.perCoreBatch] + m.inputShape.dims,
                scalars: Array(images[shard.lowerBound * imageSize ..< shard.upperBound * imageSize]))
            coreInputs[IRProgram.Names.labels] = Tensor(labels: Array(labels[shard]))
            let out = try interpreter.run(gradProgram.graph, inputs: coreInputs)
            for p in gradProgram.parameters where p.trainable {
                let name = IRProgram.Names.gradient(of: p.name)
                let g = out[name]!
                if var s = summed[name] {
                    for i in s.scalars.indices { s.scalars[i] += g.scalars[i] }  // core 0 first
                    summed[name] = s
                } else {
                    summed[name] = g
                }
            }
            lossSum += out[IRProgram.Names.loss]!.scalar
            correct += out[IRProgram.Names.correct]!.scalar
        }
        let update = set.update
        XCTAssertEqual(Verifier.verify(update.graph).map(\.message), [], file: file, line: line)
        var updateInputs = summed
        for p in update.parameters { updateInputs[p.name] = weights[p.name] }
        for s in update.optimizerSlots { updateInputs[s.name] = Tensor(filling: s.type) }
        updateInputs[IRProgram.Names.step] = Tensor(scalar: 1)
        updateInputs[IRProgram.Names.learningRate] = Tensor(scalar: lr)
        let actual = try interpreter.run(update.graph, inputs: updateInputs)

        XCTAssertEqual(lossSum / Float(cores), expected[IRProgram.Names.loss]!.scalar, accuracy: 1e-5, file: file, line: line)
        XCTAssertEqual(correct, expected[IRProgram.Names.correct]!.scalar, file: file, line: line)
        var compared = 0
        for p in update.parameters + update.optimizerSlots {
            let a = actual[p.name]!.scalars, e = expected[p.name]!.scalars
            XCTAssertEqual(a.count, e.count, file: file, line: line)
            for i in a.indices {
                XCTAssertEqual(a[i], e[i], accuracy: 2e-6 + 1e-4 * abs(e[i]), "\(p.name)[\(i)]", file: file, line: line)
            }
            compared += a.count
        }
        XCTAssertGreaterThan(compared, 100, file: file, line: line)
        // The step moved the weights: a program that returned its inputs would not pass.
        let moved = update.parameters.contains { p in zip(actual[p.name]!.scalars, weights[p.name]!.scalars).contains { $0 != $1 } }
        XCTAssertTrue(moved, file: file, line: line)
    }

    func testAdamShardsEqualOneStep() throws {
        try compare(.adam(learningRate: 0.01), cores: 4)
        try compare(.adam(learningRate: 0.01), cores: 2)
    }

    func testSGDWithMomentumShardsEqualOneStep() throws {
        try compare(.sgd(learningRate: 0.01, momentum: 0.9), cores: 4)
        try compare(.sgd(learningRate: 0.01, momentum: 0), cores: 8)
    }

    func testOneCoreIsTheSumItself() throws {
        // With one core, the update divides by nothing: no `all_reduce` constant is emitted, and
        // the step given is cut as it is (the builder is not asked for another batch).
        let step = try IRBuilder.trainingStep(smallModel(), batch: 8, optimizer: .sgd(learningRate: 0.1, momentum: 0))
        let one = try DataParallelProgramSet(trainingStep: step, cores: 1) { _ in
            XCTFail("one core needs no other batch")
            return step
        }
        XCTAssertFalse(one.update.graph.instructions.contains { $0.layer == "all_reduce" })
        let split = try DataParallelProgramSet.updateProgram(of: step, cores: 8)
        XCTAssertTrue(split.graph.instructions.contains { $0.op == .constant(8) && $0.layer == "all_reduce" })
    }

    func testAnOptimizedStepDoesNotCutAndTheUpdateNeedsNoData() throws {
        var step = try IRBuilder.trainingStep(smallModel(), batch: 8, optimizer: .adam(learningRate: 0.001))
        let update = try DataParallelProgramSet.updateProgram(of: step, cores: 2)
        XCTAssertNil(update.graph.input(named: IRProgram.Names.images))
        XCTAssertNil(update.graph.input(named: IRProgram.Names.labels))
        step.gradients = [:]  // what a pass leaves: the value numbers are no longer known
        XCTAssertThrowsError(try DataParallelProgramSet.gradientProgram(of: step)) { error in
            XCTAssertTrue("\(error)".contains("before optimizing it"), "\(error)")
        }
    }

    func testProgramsHaveTheContractNames() throws {
        let m = otherLayersModel()
        let step = try IRBuilder.trainingStep(m, batch: 2, optimizer: .adam(learningRate: 0.001))
        let grad = try DataParallelProgramSet.gradientProgram(of: step)
        XCTAssertEqual(Verifier.verify(grad.graph).map(\.message), [])
        let outputs = grad.graph.outputs.map(\.name)
        XCTAssertEqual(outputs, [
            "grad/conv2d/kernel", "grad/conv2d/bias", "grad/batch_normalization/gamma",
            "grad/batch_normalization/beta", "grad/dense/kernel", "grad/dense/bias",
            "grad/dense_1/kernel", "grad/dense_1/bias", "loss", "correct",
            "batch_normalization/moving_mean", "batch_normalization/moving_variance",
        ])
        XCTAssertNotNil(grad.graph.input(named: IRProgram.Names.dropoutSeed))
        XCTAssertNil(grad.graph.input(named: IRProgram.Names.step))
        XCTAssertEqual(grad.graph.input(named: IRProgram.Names.images)?.type, .f32([2, 8, 8, 3]))

        let update = try DataParallelProgramSet.updateProgram(of: step, cores: 2)
        XCTAssertEqual(Verifier.verify(update.graph).map(\.message), [])
        XCTAssertEqual(update.graph.inputs.filter { $0.name?.hasPrefix("grad/") == true }.count, 8)
        XCTAssertEqual(update.graph.outputs.count, 8 * 3)  // weights, m, v
        XCTAssertNil(update.graph.input(named: "batch_normalization/moving_mean"))
    }

    func testUnevenBatchIsAClearError() {
        XCTAssertThrowsError(try DataParallelSplit(globalBatch: 100, cores: 8)) { error in
            let e = error as! DataParallelError
            XCTAssertEqual(e.message, "batch 100 does not split evenly over 8 cores (100 % 8 = 4)")
            XCTAssertEqual(e.help, "use batch 96 or 104 (a multiple of 8), or a --cores value that divides 100")
        }
        XCTAssertThrowsError(try DataParallelSplit(globalBatch: 4, cores: 8)) { error in
            XCTAssertEqual((error as! DataParallelError).help,
                           "use batch 8 (a multiple of 8), or a --cores value that divides 4")
        }
        XCTAssertThrowsError(try DataParallelSplit(globalBatch: 128, cores: 0))
    }

    func testEvenSplitShards() throws {
        let split = try DataParallelSplit(globalBatch: 128, cores: 8)
        XCTAssertEqual(split.perCoreBatch, 16)
        XCTAssertEqual(split.shard(0), 0..<16)
        XCTAssertEqual(split.shard(7), 112..<128)
    }
}
