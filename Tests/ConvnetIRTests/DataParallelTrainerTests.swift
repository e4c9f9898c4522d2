import ConvnetTestSupport
import XCTest
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetIR

/// `DataParallelTrainer` on the reference backend against `trainingStep` on the whole batch.
final class DataParallelTrainerTests: XCTestCase {
    struct Batch {
        var images: [Float]
        var labels: [Int32]
    }

    func batch(_ m: CheckedModel, _ labels: [Int32], seed: UInt64) -> Batch {
        var rng = TestRandom(seed: seed)
        return Batch(images: rng.values(labels.count * m.inputShape.elementCount!, -1, 1).map { Float($0) }, labels: labels)
    }

    /// The whole-batch step, as an executable with the same initial weights.
    func wholeBatch(_ m: CheckedModel, batch: Int, optimizer: OptimizerDecl,
                    weights: [String: Tensor<Float>]) throws -> any ExecutableProgram {
        let exe = try ReferenceCompiler().compile(try IRBuilder.trainingStep(m, batch: batch, optimizer: optimizer))
        for p in exe.program.parameters { _ = exe.floats(input: p.name).update(fromContentsOf: weights[p.name]!.scalars) }
        return exe
    }

    func testThreeStepsMatchTheWholeBatchSteps() throws {
        let m = smallModel()
        let optimizer = OptimizerDecl.adam(learningRate: 0.01)
        let weights: [String: Tensor<Float>] = initialValues(try IRBuilder.inference(m, batch: 1), seed: 3)
        let trainer = try DataParallelTrainer(model: m, globalBatch: 8, cores: 4, optimizer: optimizer,
                                              compiler: ReferenceCompiler())
        for (name, t) in weights { trainer.setWeight(name, t.scalars) }
        let whole = try wholeBatch(m, batch: 8, optimizer: optimizer, weights: weights)

        for step in 1...3 {
            let b = batch(m, [0, 1, 2, 0, 1, 2, 2, 1], seed: UInt64(step))
            let (loss, correct) = try b.images.withUnsafeBufferPointer { images in
                try b.labels.withUnsafeBufferPointer { labels in
                    try trainer.step(images: images, labels: labels, step: step, learningRate: 0.01)
                }
            }
            _ = whole.floats(input: IRProgram.Names.images).update(fromContentsOf: b.images)
            _ = whole.int32s(input: IRProgram.Names.labels).update(fromContentsOf: b.labels)
            whole.setScalar(IRProgram.Names.step, Float(step))
            whole.setScalar(IRProgram.Names.learningRate, 0.01)
            try whole.run()
            whole.feedBack()
            XCTAssertEqual(loss, whole.scalar(output: IRProgram.Names.loss), accuracy: 1e-5)
            XCTAssertEqual(Float(correct), whole.scalar(output: IRProgram.Names.correct))
        }
        for p in whole.program.parameters {
            let expected = Array(whole.floats(input: p.name)), actual = trainer.weight(p.name)
            for i in expected.indices {
                XCTAssertEqual(actual[i], expected[i], accuracy: 1e-5, "\(p.name)[\(i)]")
            }
            XCTAssertNotEqual(actual, weights[p.name]!.scalars, "\(p.name) did not train")
        }
    }

    func testMovingMeanIsTheMeanOverCores() throws {
        // Batch norm comes before dropout here, so its input does not depend on the masks, and
        // the mean of equal shards' means is the whole batch's mean.
        let m = otherLayersModel()
        let optimizer = OptimizerDecl.sgd(learningRate: 0.1, momentum: 0)
        let weights: [String: Tensor<Float>] = initialValues(try IRBuilder.inference(m, batch: 1), seed: 5)
        let trainer = try DataParallelTrainer(model: m, globalBatch: 4, cores: 2, optimizer: optimizer,
                                              compiler: ReferenceCompiler())
        for (name, t) in weights { trainer.setWeight(name, t.scalars) }
        let whole = try wholeBatch(m, batch: 4, optimizer: optimizer, weights: weights)
        let b = batch(m, [0, 1, 2, 1], seed: 9)
        _ = try b.images.withUnsafeBufferPointer { images in
            try b.labels.withUnsafeBufferPointer { try trainer.step(images: images, labels: $0, step: 1, learningRate: 0.1) }
        }
        _ = whole.floats(input: IRProgram.Names.images).update(fromContentsOf: b.images)
        _ = whole.int32s(input: IRProgram.Names.labels).update(fromContentsOf: b.labels)
        whole.int32s(input: IRProgram.Names.dropoutSeed)[0] = 0
        whole.setScalar(IRProgram.Names.step, 1)
        whole.setScalar(IRProgram.Names.learningRate, 0.1)
        try whole.run()
        let expected = Array(whole.floats(output: "batch_normalization/moving_mean"))
        let actual = trainer.weight("batch_normalization/moving_mean")
        XCTAssertEqual(actual.count, 4)
        for i in expected.indices { XCTAssertEqual(actual[i], expected[i], accuracy: 1e-6) }
        XCTAssertNotEqual(actual, [0, 0, 0, 0])
    }

    func testUnevenBatchIsRefusedBeforeCompiling() {
        XCTAssertThrowsError(try DataParallelTrainer(model: smallModel(), globalBatch: 10, cores: 4,
                                                     optimizer: .adam(learningRate: 0.001), compiler: ReferenceCompiler())) {
            XCTAssertTrue($0 is DataParallelError)
        }
    }
}
