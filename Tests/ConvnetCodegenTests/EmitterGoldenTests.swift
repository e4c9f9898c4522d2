import ConvnetCodegen
import ConvnetFlags
import ConvnetNativeRuntime
import ConvnetSema
import ConvnetSyntax
import ConvnetTraining
import Foundation
import XCTest

/// The emitted Swift of samples/one-line.convnet (16x16x3 input, batch 4) against the committed
/// golden files. Re-record with CONVNETC_RECORD=1.
final class EmitterGoldenTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A checked model from text, as if read from `path`.
    static func model(_ text: String, path: String, input: [Int]) throws -> CheckedModel {
        let parsed = Parser.parse(SourceFile(path: path, text: text))
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics,
                                            inputFlag: TensorShape(input), modelDirectory: "/samples")
        return try XCTUnwrap(sema.model, "\(sema.diagnostics)")
    }

    func testOneLineGolden() throws {
        let text = try String(contentsOf: Self.repo.appendingPathComponent("samples/one-line.convnet"), encoding: .utf8)
        let model = try Self.model(text, path: "/samples/one-line.convnet", input: [16, 16, 3])
        let files = try NativeTarget.files(model: model, options: TrainingOptions(batch: 4))
        XCTAssertEqual(files.keys.sorted(), ["Inference.swift", "Model.swift", "TrainingStep.swift", "main.swift"])
        let golden = Self.repo.appendingPathComponent("Tests/ConvnetCodegenTests/Golden")
        for (name, text) in files {
            let url = golden.appendingPathComponent("one-line." + name + ".txt")
            if ProcessInfo.processInfo.environment["CONVNETC_RECORD"] == "1" {
                try text.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: url, encoding: .utf8)
            if expected != text {
                let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
                let b = text.split(separator: "\n", omittingEmptySubsequences: false)
                let first = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                XCTFail("\(name) differs from \(url.path) at line \(first + 1):\n- \(first < a.count ? a[first] : "<end>")\n+ \(first < b.count ? b[first] : "<end>")\n(re-record with CONVNETC_RECORD=1)")
            }
        }
    }

    func testBlocksNameTheirLayerAndLine() throws {
        let text = "input 16x16x3\nconv 3x3x8 relu\nmaxpool 2\nconv 3x3x12 relu\ngap\ndense 5 softmax\n"
        let model = try Self.model(text, path: "/m/tiny.convnet", input: [16, 16, 3])
        let files = try NativeTarget.files(model: model, options: TrainingOptions(batch: 2))
        let step = try XCTUnwrap(files["TrainingStep.swift"])
        XCTAssertTrue(step.contains("// tiny.convnet:2  conv 3x3x8 relu  ->  conv2d (2, 16, 16, 8)"), step)
        XCTAssertTrue(step.contains("ParallelConv(ConvGeometry(batch: 2, inHeight: 16, inWidth: 16, inChannels: 3"), step)
        XCTAssertTrue(step.contains(".forward(input: images, weights: conv2d_kernel, bias: conv2d_bias"), step)
        XCTAssertTrue(step.contains(".backwardFilter(input: images, outputGradient:"), "the filter gradient runs banded, not a whole-batch im2col")
        XCTAssertFalse(step.contains("Im2col.im2col"), "no whole-batch im2col matrix")
        XCTAssertTrue(step.contains(".backwardInput(outputGradient:"), "the input gradient runs banded")
        XCTAssertFalse(step.contains("Im2col.col2im"), "no whole-batch column matrix for the input gradient")
        XCTAssertTrue(step.contains("// tiny.convnet:4  conv 3x3x12 relu  ->  conv2d_1 (2, 8, 8, 12)"), step)
        XCTAssertTrue(step.contains("activation: .relu"))
        XCTAssertTrue(step.contains("(the optimizer's buffer assignment)"), "the arena is the optimizer's, checked against the code's reads")
        let inference = try XCTUnwrap(files["Inference.swift"])
        XCTAssertFalse(inference.contains("backward"), "inference has no gradients")
    }

    /// The flags `--target native` hands the binary parse back, with convnetc's own types, to
    /// the options they came from.
    func testTrainingFlagsRoundTrip() throws {
        let options = TrainingOptions(epochs: 3, batch: 8, learningRate: 0.01, data: "synthetic:shapes:3:10",
                                      seed: 7, validation: 0.25, resume: true, outputDirectory: "runs/x", workers: 2)
        let back = try TrainingFlags.parse(TrainingFlags.arguments(for: options)).options
        XCTAssertEqual(back.epochs, 3)
        XCTAssertEqual(back.batch, 8)
        XCTAssertEqual(back.learningRate, 0.01)
        XCTAssertEqual(back.data, "synthetic:shapes:3:10")
        XCTAssertEqual(back.seed, 7)
        XCTAssertEqual(back.validation, 0.25)
        XCTAssertTrue(back.resume)
        XCTAssertEqual(back.outputDirectory, "runs/x")
        XCTAssertEqual(back.workers, 2)
        XCTAssertThrowsError(try TrainingFlags.parse(["--bogus"]))
        XCTAssertThrowsError(try TrainingFlags.parse(["--epochs"]))
        XCTAssertThrowsError(try TrainingFlags.parse(["--epochs", "0"]), "validated as convnetc validates")
    }
}

/// Every sample model emits (batch 2): the emitter covers the ops the samples lower to.
final class SampleEmissionTests: XCTestCase {
    func testEverySampleEmits() throws {
        let samples = EmitterGoldenTests.repo.appendingPathComponent("samples")
        let names = try FileManager.default.contentsOfDirectory(atPath: samples.path).filter { $0.hasSuffix(".convnet") }.sorted()
        XCTAssertGreaterThan(names.count, 3)
        for name in names {
            let path = samples.appendingPathComponent(name).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let parsed = Parser.parse(SourceFile(path: path, text: text))
            let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics,
                                                inputFlag: nil, modelDirectory: samples.path)
            guard let model = sema.model else { continue }  // samples that do not check are not emitted
            // Every sample emits, the branching ones (concat, depthwise, separable) included.
            XCTAssertNoThrow(try NativeTarget.files(model: model, options: TrainingOptions(batch: 2)), name)
        }
    }
}

/// Every layer kind of the language emits: batch norm, both pools (overlapping too), dropout,
/// flatten, and every activation.
final class LayerKindEmissionTests: XCTestCase {
    static let everyLayer = "input 16x16x3\nconv 3x3x8 relu\nbatchnorm\nmaxpool 3 stride 1\nconv 3x3x8 tanh\n"
        + "avgpool 2\ndropout 0.25\nflatten\ndense 10 sigmoid\ndense 3 softmax\n"

    func testEveryLayerKindEmits() throws {
        let model = try EmitterGoldenTests.model(Self.everyLayer, path: "/m/every.convnet", input: [16, 16, 3])
        let files = try NativeTarget.files(model: model, options: TrainingOptions(batch: 2))
        let step = try XCTUnwrap(files["TrainingStep.swift"])
        XCTAssertTrue(step.contains("Dropout.forward("), "dropout runs the kernels' Dropout on the IR's mask, as the CPU executor does")
        XCTAssertTrue(step.contains("Pooling.maxForward("), "an overlapping max pool takes the general kernel")
    }
}
