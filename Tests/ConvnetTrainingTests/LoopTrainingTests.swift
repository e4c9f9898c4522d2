import ConvnetSupport
import ConvnetData
import ConvnetIR
import Foundation
import XCTest
@testable import ConvnetTraining

final class LoopTrainingTests: XCTestCase {
    func testTinyModelLearnsAndLeavesEveryFile() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let output = CapturedOutput(isTerminal: false)
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 5), output: output)

        XCTAssertEqual(result.outcome, .completed)
        XCTAssertEqual(result.epochs.map(\.epoch), [1, 2, 3, 4, 5])
        let first = result.epochs.first!, last = result.epochs.last!
        XCTAssertLessThan(last.loss, first.loss * 0.9, "loss should fall: \(result.epochs.map(\.loss))")
        XCTAssertNotNil(last.valLoss)
        XCTAssertNotNil(last.valAccuracy)
        XCTAssertTrue(result.epochs.allSatisfy { $0.loss.isFinite && $0.imagesPerSecond >= 0 })

        // Metrics log: one line per epoch.
        let run = try RunDirectory(url: dir.url)
        XCTAssertEqual(try MetricsLog.read(from: run.metricsLog).map(\.epoch), [1, 2, 3, 4, 5])
        // Checkpoints exist, load, and carry the bookkeeping.
        let saved = try run.checkpoints()
        XCTAssertEqual(saved.last?.epoch, 5)
        // The newest three are kept, plus the best epoch when it is older.
        XCTAssertEqual(Array(saved.map(\.epoch).suffix(3)), [3, 4, 5])
        let best = try XCTUnwrap(TrainingSummary(epochs: result.epochs, stopReason: "").bestEpoch?.epoch)
        XCTAssertEqual(Set(saved.map(\.epoch)), Set([3, 4, 5, best]))
        let checkpoint = try Checkpoint.load(from: saved.last!.url)
        XCTAssertEqual(checkpoint.epoch, 5)
        XCTAssertEqual(checkpoint.step, result.state.step)
        XCTAssertEqual(checkpoint.seed, 7)
        XCTAssertEqual(checkpoint.optimizer, .adam)
        XCTAssertEqual(checkpoint.modelHash, ModelHash.of(model))
        XCTAssertEqual(checkpoint.classNames, ["circle", "square", "triangle"])
        XCTAssertEqual(checkpoint.parameters["conv2d/kernel"]?.shape, [3, 3, 3, 4])
        XCTAssertEqual(checkpoint.parameters["dense/kernel"]?.shape, [144, 3])
        XCTAssertEqual(checkpoint.slot("m", of: "dense/kernel")?.shape, [144, 3])
        XCTAssertNotNil(checkpoint.slot("v", of: "conv2d/bias"))
        // Final weights equal the last epoch's checkpoint.
        let final = try Checkpoint.load(from: run.finalWeights)
        XCTAssertEqual(tensors(of: final), tensors(of: checkpoint))
        // Curves, summary, confusion.
        XCTAssertTrue(try String(contentsOf: run.curves, encoding: .utf8).contains("<svg"))
        let summary = try JSONParser.parse(String(contentsOf: run.summary, encoding: .utf8))
        XCTAssertEqual(summary["stop_reason"], .string("completed"))
        XCTAssertEqual(summary["epochs_completed"], .int(5))
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.confusionText.path))
        XCTAssertEqual(result.confusion?.total, try SyntheticCount.validation())
        // Plain lines off a terminal: one per epoch, then the confusion matrix.
        let lines = output.text.split(separator: "\n").filter { $0.hasPrefix("Epoch ") }
        XCTAssertEqual(lines.count, 5)
        XCTAssertTrue(lines[0].contains("val_accuracy"), String(lines[0]))
        XCTAssertTrue(output.text.contains("Confusion matrix"))
    }

    func testThroughputCountsTrainingImagesOverTheTrainingPhase() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let output = CapturedOutput(isTerminal: false)
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 1), output: output,
                               clock: TickingClock(tick: 0.5))
        let metrics = try XCTUnwrap(result.epochs.first)
        // Off a terminal the bar never reads the clock between steps, so the training phase is
        // one tick (32 images in 0.5 s) and the epoch, from the bar's start to its end, three.
        XCTAssertEqual(metrics.imagesPerSecond, 64, accuracy: 1e-9)
        XCTAssertEqual(metrics.seconds, 1.5, accuracy: 1e-9)
        XCTAssertTrue(output.text.contains(" - 64.0 images/s\n"), output.text)
    }

    func testTheFirstEpochForecastsTheRestOfTheRunOnce() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let output = CapturedOutput(isTerminal: false)
        _ = try train(model, into: dir.url, options: TrainingOptions(epochs: 3), output: output,
                      clock: TickingClock(tick: 0.5))
        // Each epoch is three ticks (1.5 s, as above), so two more take 3 s.
        let forecasts = output.text.split(separator: "\n").filter { $0.hasPrefix("About ") }
        XCTAssertEqual(forecasts, ["About 3s more for the 2 epochs left (1s an epoch so far)"], output.text)
        let lines = output.text.split(separator: "\n").map(String.init)
        let first = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("Epoch 1/3") })
        XCTAssertEqual(lines[first + 1], String(forecasts[0]), "said right after the first epoch's line")
    }

    func testALastEpochHasNoForecast() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let output = CapturedOutput(isTerminal: false)
        _ = try train(model, into: dir.url, options: TrainingOptions(epochs: 1), output: output)
        XCTAssertFalse(output.text.contains("About "), output.text)
    }

    func testWithoutValidationSplitThereAreNoValidationFigures() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 1, validation: 0))
        XCTAssertEqual(result.outcome, .completed)
        XCTAssertNil(result.epochs[0].valLoss)
        XCTAssertNil(result.epochs[0].valAccuracy)
        XCTAssertNil(result.confusion)
        XCTAssertEqual(result.state.step, 48 / 8)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("confusion.txt").path))
    }

    func testStepsCountFullBatchesOnly() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 2))
        let trainCount = 48 - (try SyntheticCount.validation())
        XCTAssertEqual(result.state.step, 2 * (trainCount / 8))
        XCTAssertEqual(result.state.epoch, 2)
    }

    func testSameSeedSameWeightsOtherSeedOtherWeights() throws {
        let model = try checkedModel()
        let (a, b, c) = (try TemporaryDirectory(), try TemporaryDirectory(), try TemporaryDirectory())
        let ra = try train(model, into: a.url, options: TrainingOptions(epochs: 1))
        let rb = try train(model, into: b.url, options: TrainingOptions(epochs: 1))
        let rc = try train(model, into: c.url, options: TrainingOptions(epochs: 1, seed: 8))
        XCTAssertEqual(ra.state.tensors, rb.state.tensors)
        XCTAssertNotEqual(ra.state.tensors["conv2d/kernel"], rc.state.tensors["conv2d/kernel"])
    }

    func testMissingDatasetSaysWhereItLookedAndHowToFixIt() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let missing = dir.url.appendingPathComponent("no-such-flowers").path
        XCTAssertThrowsError(try train(model, into: dir.url, options: TrainingOptions(data: missing))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(missing), text)
            XCTAssertTrue(text.contains("--data"), text)
            XCTAssertTrue(text.contains("synthetic:shapes"), text)
            guard case TrainingError.dataset(.folderNotFound, _, "--data")? = error as? TrainingError else {
                return XCTFail("expected a dataset error, got \(error)")
            }
        }
        let noData = try checkedModel(tinyModelText.replacingOccurrences(of: "data \"synthetic:shapes:3:16\"", with: ""))
        XCTAssertThrowsError(try train(noData, into: dir.url)) { error in
            guard case TrainingError.noDataset? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("data \"synthetic:shapes\""))
        }
    }

    func testOptionsOverrideTheTrainBlock() throws {
        let model = try checkedModel()
        let config = try TrainingConfiguration(model: model, options: TrainingOptions(
            epochs: 9, batch: 4, learningRate: 0.5, seed: 3, validation: 0.1, outputDirectory: "x"))
        XCTAssertEqual(config.epochs, 9)
        XCTAssertEqual(config.batch, 4)
        XCTAssertEqual(config.optimizer, .adam(learningRate: 0.5))
        XCTAssertEqual(config.seed, 3)
        XCTAssertEqual(config.validation, 0.1)
        XCTAssertEqual(config.outputDirectory.lastPathComponent, "x")
        let defaults = try TrainingConfiguration(model: model, options: TrainingOptions())
        XCTAssertEqual(defaults.batch, 8)
        XCTAssertEqual(defaults.outputDirectory.path, URL(fileURLWithPath: "runs/tiny").path)
        XCTAssertThrowsError(try TrainingConfiguration(model: model, options: TrainingOptions(batch: 0)))
        XCTAssertThrowsError(try TrainingConfiguration(model: model, options: TrainingOptions(learningRate: -1)))
    }

    func testInitialisationFollowsKeras() throws {
        let model = try checkedModel(tinyModelText.replacingOccurrences(of: "maxpool 2", with: "batchnorm\nmaxpool 2"))
        let program = try IRBuilder.inference(model, batch: 1)
        let values = ParameterInitializer.initialValues(program.parameters, seed: 1)
        let kernel = values["conv2d/kernel"]!
        let limit = Float((6.0 / Double(27 + 36)).squareRoot())
        XCTAssertTrue(kernel.allSatisfy { abs($0) <= limit })
        XCTAssertGreaterThan(kernel.map { abs($0) }.max()!, limit * 0.5)
        XCTAssertEqual(values["conv2d/bias"], [0, 0, 0, 0])
        XCTAssertEqual(values["batch_normalization/gamma"], [1, 1, 1, 1])
        XCTAssertEqual(values["batch_normalization/moving_variance"], [1, 1, 1, 1])
        XCTAssertEqual(values["batch_normalization/moving_mean"], [0, 0, 0, 0])
        XCTAssertEqual(ParameterInitializer.initialValues(program.parameters, seed: 1), values)
        XCTAssertNotEqual(ParameterInitializer.initialValues(program.parameters, seed: 2)["conv2d/kernel"], kernel)
    }
}

/// The validation count of the tiny data set, computed by the loader itself.
enum SyntheticCount {
    static func validation() throws -> Int {
        try ConvnetData.DatasetLoader.load("synthetic:shapes:3:16", options: .init(
            shape: .init(height: 12, width: 12, channels: 3), validationFraction: 0.25, workers: 1)).validationCount
    }
}
