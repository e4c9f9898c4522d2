import ConvnetData
import ConvnetIR
import ConvnetSupport
import Foundation
import XCTest
@testable import ConvnetTraining

/// Issue 19's "silently wrong" runs: non-finite weights are refused by name, a NaN validation loss
/// stops training, a head without softmax is read as logits everywhere, bad images are named and
/// counted.
final class HardenedTrainingTests: XCTestCase {
    /// Trains one epoch and plants a NaN in `dense/kernel` of the final weights and the checkpoint.
    func poisonedRun() throws -> (TemporaryDirectory, URL, URL) {
        let dir = try TemporaryDirectory()
        let result = try train(try checkedModel(), into: dir.url, options: TrainingOptions(epochs: 1))
        let weights = try XCTUnwrap(result.finalWeights)
        let epoch1 = dir.url.appendingPathComponent("checkpoints/epoch-001.safetensors")
        for url in [weights, epoch1] {
            var checkpoint = try Checkpoint.load(from: url)
            checkpoint.parameters["dense/kernel"]!.values[4] = .nan
            try checkpoint.save(to: url)
        }
        return (dir, weights, epoch1)
    }

    func testNonFiniteWeightsAreRefusedNamingTheTensor() throws {
        let (dir, weights, _) = try poisonedRun()
        let model = try checkedModel()
        func assertNamesTheTensor(_ body: @autoclosure () throws -> Any, _ what: String) {
            XCTAssertThrowsError(try body(), what) { error in
                XCTAssertTrue("\(error)".contains("'dense/kernel' holds NaN"), "\(what): \(error)")
            }
        }
        assertNamesTheTensor(try Predictor.predict(weights: weights, model: model, images: []), "predict")
        assertNamesTheTensor(try Evaluator.evaluate(weights: weights, model: model, options: TrainingOptions(), output: CapturedOutput(isTerminal: false)),
                             "evaluate")
        assertNamesTheTensor(try train(model, into: dir.url, options: TrainingOptions(epochs: 2, resume: true)), "--resume")
        var infinite = try Checkpoint(file: try Safetensors.read(from: weights), path: weights.path)
        infinite.parameters["dense/kernel"]!.values[4] = 0
        infinite.optimizerSlots["optimizer/m/conv2d/bias"]!.values[0] = -.infinity
        XCTAssertThrowsError(try infinite.requireFiniteValues(file: "x")) { error in
            XCTAssertTrue("\(error)".contains("'optimizer/m/conv2d/bias' holds -infinity"), "\(error)")
        }
    }

    func testANaNValidationLossStopsTrainingLikeANaNTrainingLoss() throws {
        let dir = try TemporaryDirectory()
        let compiler = NaNValidationCompiler()
        XCTAssertThrowsError(try train(try checkedModel(), into: dir.url, options: TrainingOptions(epochs: 2),
                                       compiler: compiler)) { error in
            guard case TrainingError.nonFiniteLoss(let message, _)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("validation loss became NaN"), message)
        }
        XCTAssertEqual(try RunDirectory(url: dir.url).checkpoints().count, 0, "no checkpoint of NaN weights")
    }

    func testAHeadWithoutSoftmaxIsReadAsLogitsEverywhere() throws {
        let model = try checkedModel(tinyModelText.replacingOccurrences(of: "dense 3 softmax", with: "dense 3"))
        let dir = try TemporaryDirectory()
        let result = try train(model, into: dir.url, options: TrainingOptions(epochs: 2))
        let weights = try XCTUnwrap(result.finalWeights)
        let shapes = SyntheticShapes(classes: 3)
        let image = shapes.render(label: 1, index: 7, height: 12, width: 12)
        let file = dir.url.appendingPathComponent("shape.png")
        try Data(PNGEncoder.encode(pixels: image.pixels, width: 12, height: 12, channels: 3)!).write(to: file)
        let report = try Predictor.predict(weights: weights, model: model, images: [file.path])
        let p = report.predictions[0].probabilities
        XCTAssertEqual(Double(p.reduce(0, +)), 1, accuracy: 1e-5, "\(p)")
        XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(p)")
        // Validation uses the training loss' definition: the last epoch's val_loss is the mean
        // softmax cross-entropy of the logits, of the order of the training loss (not ~10x it).
        let last = try XCTUnwrap(result.epochs.last)
        let valLoss = try XCTUnwrap(last.valLoss)
        XCTAssertLessThan(valLoss, 3 * max(last.loss, 0.5), "val_loss \(valLoss) vs loss \(last.loss)")
        let evaluation = try Evaluator.evaluate(weights: weights, model: model, options: TrainingOptions(), output: CapturedOutput(isTerminal: false))
        XCTAssertEqual(evaluation.loss, valLoss, accuracy: 1e-4)
    }

    func testBadImagesAreNamedAndCountedInTheSummary() throws {
        let dir = try TemporaryDirectory()
        let data = dir.url.appendingPathComponent("data")
        let shapes = SyntheticShapes(classes: 3)
        for label in 0..<3 {
            let folder = data.appendingPathComponent(shapes.classNames[label])
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<6 {
                let image = shapes.render(label: label, index: i, height: 12, width: 12)
                try Data(PNGEncoder.encode(pixels: image.pixels, width: 12, height: 12, channels: 3)!)
                    .write(to: folder.appendingPathComponent("img\(i).png"))
            }
        }
        let circle = data.appendingPathComponent("circle")
        let good = try Data(contentsOf: circle.appendingPathComponent("img0.png"))
        try good.prefix(good.count / 2).write(to: circle.appendingPathComponent("truncated.png"))
        try Data().write(to: circle.appendingPathComponent("empty.png"))
        try Data("not an image".utf8).write(to: circle.appendingPathComponent("notes.txt"))
        let output = CapturedOutput(isTerminal: false)
        let run = dir.url.appendingPathComponent("run")
        _ = try train(try checkedModel(), into: run, options: TrainingOptions(epochs: 1, data: data.path), output: output)
        for name in ["circle/truncated.png", "circle/empty.png", "circle/notes.txt"] {
            XCTAssertTrue(output.text.contains("warning: skipped \(name)"), output.text)
        }
        XCTAssertTrue(output.text.contains("warning: 3 files skipped"), output.text)
        let summary = try JSONParser.parse(String(contentsOf: run.appendingPathComponent("summary.json"), encoding: .utf8))
        XCTAssertEqual(summary["skipped"], .int(3))
    }
}

/// The reference backend, except that the inference program's probabilities are all NaN.
struct NaNValidationCompiler: ProgramCompiler {
    var name: String { "nan-validation" }

    func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        let inner = try ReferenceCompiler().compile(program)
        guard program.kind == .inference else { return inner }
        return NaNOutputExecutable(inner: inner)
    }
}

final class NaNOutputExecutable: ExecutableProgram {
    let inner: any ExecutableProgram
    init(inner: any ExecutableProgram) { self.inner = inner }

    var program: IRProgram { inner.program }
    func floats(input name: String) -> UnsafeMutableBufferPointer<Float> { inner.floats(input: name) }
    func int32s(input name: String) -> UnsafeMutableBufferPointer<Int32> { inner.int32s(input: name) }
    func floats(output name: String) -> UnsafeBufferPointer<Float> {
        let real = inner.floats(output: name)
        let p = UnsafeMutableBufferPointer(mutating: real)
        p.update(repeating: .nan)
        return real
    }
    func run() throws { try inner.run() }
}

/// Issue 19's terminal output: a progress line never wraps, names from files never reach the
/// terminal as escape sequences.
final class HardenedOutputTests: XCTestCase {
    func testTheProgressBarFitsAnEightyColumnTerminal() {
        let output = CapturedOutput(isTerminal: true, columns: 80)
        let clock = ManualClock()
        let bar = EpochProgressBar(epoch: 3, totalEpochs: 20, steps: 92, output: output, clock: clock)
        bar.start()
        let metrics: [(String, Double)] = [("loss", 1.2345), ("accuracy", 0.4567), ("val_loss", 1.3), ("val_accuracy", 0.4)]
        for step in 1...92 {
            clock.advance(by: 1)
            bar.update(step: step, metrics: metrics)
        }
        let redraws = output.text.split(separator: "\r").dropFirst()
        XCTAssertGreaterThan(redraws.count, 50)
        for line in redraws { XCTAssertLessThan(line.count, 80, String(line)) }
        bar.finish(metrics: metrics, trailer: " - 812.3 images/s - modelled 12.3 ms/step, MXU 10.5%")
        XCTAssertTrue(output.text.hasSuffix("MXU 10.5%\n"), "the final figures are written whole")
    }

    func testClassNamesAreEscapedBeforePrinting() {
        let report = PredictionReport(classes: ["\u{1B}]0;owned\u{07}", "roses"],
                                      predictions: [Prediction(file: "a\u{1B}[2J.png", probabilities: [0.9, 0.1])])
        let text = report.renderText()
        XCTAssertFalse(text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, text)
        XCTAssertTrue(text.contains("\\u{1B}]0;owned\\u{7} 90.0%"), text)
        var matrix = ConfusionMatrix(classNames: ["\u{1B}[31mred", "ok"])
        matrix.add(truth: 0, predicted: 0)
        XCTAssertFalse(matrix.render().unicodeScalars.contains { $0.value == 0x1B })
    }
}
