import ConvnetSupport
import ConvnetIR
import Foundation
import XCTest
@testable import ConvnetTraining

final class LoopResumeTests: XCTestCase {
    /// A model with dropout and augmentation, so resuming must also replay the shuffle, the
    /// augmentation draws and the dropout masks exactly.
    let resumeModelText = tinyModelText
        .replacingOccurrences(of: "maxpool 2", with: "batchnorm\nmaxpool 2")
        .replacingOccurrences(of: "flatten", with: "flatten\ndropout 0.25")
        .replacingOccurrences(of: "seed 7", with: "seed 7\naugment flip crop")

    func testResumedRunEndsBitIdenticalToUninterruptedRun() throws {
        try assertResumeEqualsUninterrupted(resumeModelText, expecting: "batch_normalization/moving_mean")
    }

    /// Issue 16's recipes: every augmentation (flip, saturation, crop windows, zoom, brightness,
    /// contrast) and a ramp schedule whose rate changes every epoch, resumed after epoch 1.
    func testResumeWithAugmentationAndRampEndsBitIdentical() throws {
        let text = tinyModelText
            .replacingOccurrences(of: "flatten", with: "flatten\ndropout 0.25")
            .replacingOccurrences(of: "seed 7", with: """
                seed 7
                augment flip saturation 0 2 crop 0.8 zoom 0.1 brightness 0.1 contrast 0.8 1.2
                schedule ramp start 0.002 max 0.02 min 0.001 rampup 1 sustain 0 decay 0.5
                """)
        let rates = try assertResumeEqualsUninterrupted(text, expecting: "dense/kernel")
        XCTAssertEqual(rates, [0.002, 0.02, (0.02 - 0.001) * 0.5 + 0.001])
    }

    /// Trains 3 epochs in one go and 1 + 2 with `--resume`, and checks both end with the same
    /// bits; returns the per-epoch learning rates.
    @discardableResult
    func assertResumeEqualsUninterrupted(_ text: String, expecting tensor: String) throws -> [Double] {
        let model = try checkedModel(text)
        let (whole, split) = (try TemporaryDirectory(), try TemporaryDirectory())
        let uninterrupted = try train(model, into: whole.url, options: TrainingOptions(epochs: 3))
        _ = try train(model, into: split.url, options: TrainingOptions(epochs: 1))
        let output = CapturedOutput(isTerminal: false)
        let resumed = try train(model, into: split.url, options: TrainingOptions(epochs: 3, resume: true), output: output)

        XCTAssertTrue(output.text.contains("Resuming from"), output.text)
        XCTAssertNotNil(uninterrupted.state.tensors[tensor])
        XCTAssertEqual(uninterrupted.exitStatus, 0)
        XCTAssertEqual(resumed.epochs.map(\.epoch), [1, 2, 3])
        XCTAssertEqual(resumed.state.step, uninterrupted.state.step)
        for (name, values) in uninterrupted.state.tensors {
            let other = try XCTUnwrap(resumed.state.tensors[name], name)
            XCTAssertEqual(values.map(\.bitPattern), other.map(\.bitPattern), name)
        }
        XCTAssertEqual(resumed.epochs.map(\.loss), uninterrupted.epochs.map(\.loss))
        XCTAssertEqual(resumed.epochs.map(\.valAccuracy), uninterrupted.epochs.map(\.valAccuracy))
        let a = try Checkpoint.load(from: whole.url.appendingPathComponent("model.safetensors"))
        let b = try Checkpoint.load(from: split.url.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(tensors(of: a).mapValues { $0.map(\.bitPattern) }, tensors(of: b).mapValues { $0.map(\.bitPattern) })
        XCTAssertEqual(try MetricsLog.read(from: split.url.appendingPathComponent("metrics.jsonl")).map(\.epoch), [1, 2, 3])
        XCTAssertEqual(resumed.epochs.map(\.learningRate), uninterrupted.epochs.map(\.learningRate))
        // The rate is on each epoch line and in summary.json.
        for epoch in resumed.epochs.dropFirst() {
            XCTAssertTrue(output.text.contains(String(format: " - lr %.1e - ", epoch.learningRate)), output.text)
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: split.url.appendingPathComponent("summary.json"))) as? [String: Any]
        let logged = try XCTUnwrap(summary?["learning_rates"] as? [Double])
        XCTAssertEqual(logged.count, 3)
        for (a, b) in zip(logged, uninterrupted.epochs.map(\.learningRate)) { XCTAssertEqual(a, b, accuracy: b * 1e-9) }
        return uninterrupted.epochs.map(\.learningRate)
    }

    func testResumeRefusesAnotherModel() throws {
        let dir = try TemporaryDirectory()
        _ = try train(try checkedModel(), into: dir.url, options: TrainingOptions(epochs: 1))
        // Same weights' shapes, different text: still another model.
        let edited = try checkedModel("# edited\n" + tinyModelText)
        XCTAssertThrowsError(try train(edited, into: dir.url, options: TrainingOptions(epochs: 2, resume: true))) { error in
            guard case TrainingError.modelMismatch? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("different model"), "\(error)")
        }
    }

    func testResumeWithoutCheckpointIsAnError() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try train(try checkedModel(), into: dir.url, options: TrainingOptions(resume: true))) { error in
            guard case TrainingError.nothingToResume? = error as? TrainingError else { return XCTFail("\(error)") }
        }
    }

    /// A run that fails before it trains (here: a backend that refuses the program) leaves the
    /// previous run's checkpoints and final weights where they were.
    func testARunThatFailsToStartKeepsThePreviousResults() throws {
        let dir = try TemporaryDirectory()
        let model = try checkedModel()
        let first = try train(model, into: dir.url, options: TrainingOptions(epochs: 1))
        let weights = try XCTUnwrap(first.finalWeights)
        let before = try Data(contentsOf: weights)
        var options = TrainingOptions(epochs: 1)
        options.overwrite = true
        XCTAssertThrowsError(try train(model, into: dir.url, options: options, compiler: RefusingCompiler()))
        XCTAssertEqual(try Data(contentsOf: weights), before)
        XCTAssertNotNil(try RunDirectory(url: dir.url).latestCheckpoint())
    }

    /// A program the backend refuses is reported before any image is read: the dataset named
    /// here does not exist, and the error is still the compiler's.
    func testTheBackendIsAskedBeforeTheDataIsLoaded() throws {
        let dir = try TemporaryDirectory()
        let missing = dir.url.appendingPathComponent("no-such-photos").path
        XCTAssertThrowsError(try train(try checkedModel(), into: dir.url, options: TrainingOptions(data: missing),
                                       compiler: RefusingCompiler())) { error in
            XCTAssertTrue("\(error)".contains("refused batch"), "\(error)")
        }
    }

    func testNonFiniteLossStopsAndKeepsTheLastGoodCheckpoint() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        _ = try train(model, into: dir.url, options: TrainingOptions(epochs: 1))
        let good = dir.url.appendingPathComponent("checkpoints/epoch-001.safetensors")
        let before = try Data(contentsOf: good)
        let finalURL = dir.url.appendingPathComponent("model.safetensors")
        let finalBefore = try Data(contentsOf: finalURL)

        let compiler = FaultInjectingCompiler(nanAtRun: 2)
        XCTAssertThrowsError(try train(model, into: dir.url, options: TrainingOptions(epochs: 3, resume: true),
                                       compiler: compiler)) { error in
            guard case TrainingError.nonFiniteLoss(let message, let last)? = error as? TrainingError else {
                return XCTFail("expected nonFiniteLoss, got \(error)")
            }
            XCTAssertTrue(message.contains("NaN"), message)
            XCTAssertTrue(message.contains("epoch 2, step 2/"), message)
            XCTAssertEqual(last, good.path)
        }
        XCTAssertEqual(try Data(contentsOf: good), before, "the good checkpoint must not change")
        let run = try RunDirectory(url: dir.url)
        XCTAssertEqual(try run.checkpoints().map(\.epoch), [1])
        XCTAssertEqual(try Data(contentsOf: run.finalWeights), finalBefore, "the earlier final weights must not change")
        let summary = try JSONParser.parse(String(contentsOf: run.summary, encoding: .utf8))
        XCTAssertEqual(summary["stop_reason"], .string("non-finite loss"))
    }

    func testHugeLearningRateStopsTraining() throws {
        let model = try checkedModel(tinyModelText.replacingOccurrences(of: "optimizer adam lr 0.02",
                                                                        with: "optimizer sgd lr 0.02"))
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try train(model, into: dir.url, options: TrainingOptions(epochs: 3, learningRate: 1e30))) { error in
            guard case TrainingError.nonFiniteLoss? = error as? TrainingError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try RunDirectory(url: dir.url).checkpoints().count, 0)
    }

    func testInterruptKeepsLastEpochAndResumesToTheSameResult() throws {
        let model = try checkedModel()
        let (whole, split) = (try TemporaryDirectory(), try TemporaryDirectory())
        let uninterrupted = try train(model, into: whole.url, options: TrainingOptions(epochs: 2))
        let steps = uninterrupted.state.step / 2
        let flag = InterruptFlag()
        // Presses are counted process-wide; installing clears those of earlier tests.
        flag.install()
        defer { flag.uninstall() }
        // Interrupt after the second step of epoch 2.
        let compiler = FaultInjectingCompiler(interruptAtRun: (steps + 2, flag))
        let output = CapturedOutput(isTerminal: false)
        let stopped = try train(model, into: split.url, options: TrainingOptions(epochs: 2), output: output,
                                interrupt: flag, compiler: compiler)
        XCTAssertEqual(stopped.outcome, .interrupted)
        XCTAssertEqual(stopped.exitStatus, 130)
        XCTAssertEqual(stopped.state.epoch, 1)
        XCTAssertEqual(stopped.state.step, steps)
        XCTAssertTrue(stopped.message.contains("--resume"), stopped.message)
        XCTAssertEqual(try RunDirectory(url: split.url).checkpoints().map(\.epoch), [1])

        let resumed = try train(model, into: split.url, options: TrainingOptions(epochs: 2, resume: true))
        XCTAssertEqual(resumed.state.tensors, uninterrupted.state.tensors)
    }
}

/// A backend that refuses every program (a setting the target cannot run).
private struct RefusingCompiler: ProgramCompiler {
    var name: String { "refusing" }
    func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        throw TrainingError.invalidOption("refused batch \(program.batch)")
    }
}
