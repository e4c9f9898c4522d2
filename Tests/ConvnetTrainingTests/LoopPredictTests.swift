import ConvnetSupport
import ConvnetData
import ConvnetIR
import Foundation
import XCTest
@testable import ConvnetTraining

final class LoopPredictTests: XCTestCase {
    /// Writes three synthetic shapes (one per class) as PNG files and returns their paths.
    func writeFixtures(in dir: URL) throws -> [String] {
        let shapes = SyntheticShapes(classes: 3)
        return try (0..<3).map { label in
            let image = shapes.render(label: label, index: 1000 + label, height: 20, width: 16)
            let png = try XCTUnwrap(PNGEncoder.encode(pixels: image.pixels, width: image.width, height: image.height, channels: 3))
            let url = dir.appendingPathComponent("shape\(label).png")
            try Data(png).write(to: url)
            return url.path
        }
    }

    func testPredictGivesProbabilitiesWithTheCheckpointsClassNames() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 2))
        let files = try writeFixtures(in: dir.url)

        let report = try Predictor.predict(weights: try XCTUnwrap(result.finalWeights), model: model, images: files, batch: 2)
        XCTAssertEqual(report.classes, ["circle", "square", "triangle"])
        XCTAssertEqual(report.predictions.map(\.file), files)
        for p in report.predictions {
            XCTAssertEqual(p.probabilities.count, 3)
            XCTAssertEqual(Double(p.probabilities.reduce(0, +)), 1, accuracy: 1e-5)
            XCTAssertTrue(p.probabilities.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
        // Batching and padding do not change a prediction.
        let single = try Predictor.predict(weights: result.finalWeights!, model: model, images: [files[2]], batch: 1)
        for (a, b) in zip(single.predictions[0].probabilities, report.predictions[2].probabilities) {
            XCTAssertEqual(a, b, accuracy: 1e-6)
        }

        let json = try JSONParser.parse(report.renderJSON())
        XCTAssertEqual(json["classes"], .array(["circle", "square", "triangle"].map { .string($0) }))
        guard case .array(let predictions)? = json["predictions"] else { return XCTFail("no predictions array") }
        XCTAssertEqual(predictions.count, 3)
        XCTAssertEqual(predictions[0]["file"], .string(files[0]))
        guard case .array(let probabilities)? = predictions[0]["probabilities"] else { return XCTFail("no probabilities") }
        XCTAssertEqual(probabilities.count, 3)
        if case .object(let pairs) = predictions[0] { XCTAssertEqual(pairs.map(\.0), ["file", "probabilities"]) }

        let text = report.renderText()
        XCTAssertEqual(text.split(separator: "\n").count, 3)
        XCTAssertTrue(text.hasPrefix(files[0] + ": "), text)
        XCTAssertTrue(text.contains("%"), text)
    }

    func testPredictRejectsAnUnreadableImageAndAWrongCheckpoint() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 1))
        XCTAssertThrowsError(try Predictor.predict(weights: result.finalWeights!, model: model,
                                                   images: [dir.url.appendingPathComponent("nope.png").path])) { error in
            XCTAssertTrue("\(error)".contains("nope.png"), "\(error)")
        }
        let wider = try checkedModel(tinyModelText.replacingOccurrences(of: "3x3x4", with: "3x3x5"))
        XCTAssertThrowsError(try Predictor.predict(weights: result.finalWeights!, model: wider, images: [])) { error in
            guard let error = error as? WeightsImportError else { return XCTFail("\(error)") }
            XCTAssertTrue(error.message.contains("misshapen conv2d/kernel: shape (3, 3, 3, 4) in the file, the model needs (3, 3, 3, 5)"),
                          error.message)
        }
    }

    func testClassNamesFallBackToTheDataFolderThenToNumbers() throws {
        let dir = try TemporaryDirectory()
        for name in ["roses", "daisy", "tulips"] {
            let folder = dir.url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let png = PNGEncoder.encode(pixels: [UInt8](repeating: 9, count: 12), width: 2, height: 2, channels: 3)!
            try Data(png).write(to: folder.appendingPathComponent("a.png"))
        }
        XCTAssertEqual(TrainedWeights.classNames(saved: ["x", "y", "z"], count: 3, dataFolder: dir.url.path), ["x", "y", "z"])
        XCTAssertEqual(TrainedWeights.classNames(saved: [], count: 3, dataFolder: dir.url.path), ["daisy", "roses", "tulips"])
        XCTAssertEqual(TrainedWeights.classNames(saved: [], count: 3, dataFolder: "synthetic:shapes:3"),
                       ["circle", "square", "triangle"])
        XCTAssertEqual(TrainedWeights.classNames(saved: [], count: 2, dataFolder: nil), ["class0", "class1"])
    }

    func testEvaluateMatchesTheTrainersLastValidation() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 3))
        let last = try XCTUnwrap(result.epochs.last)
        let quiet = CapturedOutput(isTerminal: false)
        let report = try Evaluator.evaluate(weights: result.finalWeights!, model: model,
                                            options: TrainingOptions(workers: 1), output: quiet)
        XCTAssertEqual(report.accuracy, try XCTUnwrap(last.valAccuracy))
        XCTAssertEqual(report.loss, try XCTUnwrap(last.valLoss), accuracy: 1e-9)
        XCTAssertEqual(report.count, try SyntheticCount.validation())
        XCTAssertEqual(report.confusion, result.confusion)

        // Another batch size pads differently but counts the same images the same way.
        let byOne = try Evaluator.evaluate(weights: result.finalWeights!, model: model,
                                           options: TrainingOptions(batch: 1, workers: 1), output: quiet)
        let byFive = try Evaluator.evaluate(weights: result.finalWeights!, model: model,
                                            options: TrainingOptions(batch: 5, workers: 1), output: quiet)
        XCTAssertEqual(byOne.count, report.count)
        XCTAssertEqual(byFive.confusion, byOne.confusion)
        XCTAssertEqual(byFive.loss, byOne.loss, accuracy: 1e-5)

        let json = try JSONParser.parse(report.renderJSON())
        XCTAssertEqual(json["count"], .int(report.count))
        XCTAssertNotNil(json["confusion"]?["counts"])
        XCTAssertTrue(report.renderText().contains("accuracy"))
    }

    func testTerminalShowsAProgressBarAndDecoding() throws {
        let model = try checkedModel()
        let dir = try TemporaryDirectory()
        let output = CapturedOutput(isTerminal: true)
        try train(model, into: dir.url, options: TrainingOptions(epochs: 1), output: output)
        XCTAssertTrue(output.text.contains("Decoding 48 images"), output.text)
        XCTAssertTrue(output.text.contains("Epoch 1/1\n"), output.text)
        XCTAssertTrue(output.text.contains("[==============================]"), output.text)
        XCTAssertTrue(output.text.contains("val_loss"), output.text)
    }
}
