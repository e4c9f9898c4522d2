import ConvnetCPU
import ConvnetIR
import ConvnetInterface
import ConvnetSema
import ConvnetSyntax
import Foundation
import XCTest
@testable import ConvnetDriver
@testable import ConvnetTraining

/// `--weights` and `--init-from` on files Keras wrote (fixtures made offline by
/// `scripts/make_keras_weights_fixtures.py` with TensorFlow 2.21 / Keras 3): Keras 3's
/// `.weights.h5`, weights-only safetensors under Keras names, and the errors for files that do
/// not fit. No TensorFlow is needed here.
final class KerasWeightsImportTests: XCTestCase {
    static let folder = TestPaths.repoRoot + "/Tests/ConvnetDriverTests/Fixtures/keras_weights/"

    struct Fixture {
        var model: CheckedModel
        var images: [String]
        var probabilities: [[Double]]
        var weightNames: [String]
        /// What the library takes.
        var description: ModelDescription { ModelDescription(model) }
    }

    func fixture(_ stem: String) throws -> Fixture {
        let json = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: Self.folder + stem + ".json"))) as? [String: Any])
        let source = SourceFile(path: stem + ".convnet", text: try XCTUnwrap(json["model"] as? String))
        let result = Frontend.check(source: source, inputFlag: TensorShape(flag: try XCTUnwrap(json["input"] as? String)))
        return Fixture(model: try XCTUnwrap(result.model, "\(result.diagnostics)"),
                       images: try XCTUnwrap(json["images"] as? [String]).map { Self.folder + $0 },
                       probabilities: try XCTUnwrap(json["probabilities"] as? [[Double]]),
                       weightNames: try XCTUnwrap(json["weights"] as? [String]))
    }

    /// The message of the error `body` throws.
    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        XCTFail("no error")
        return ""
    }

    // MARK: - Predictions equal Keras'

    func testEveryFormatPredictsWhatKerasPredicts() throws {
        let cases: [(file: String, format: WeightsFormat)] = [
            (".weights.h5", .kerasH5), (".safetensors", .kerasSafetensors), (".path.safetensors", .kerasSafetensors),
        ]
        for stem in ["one-line", "batchnorm"] {
            let fx = try fixture(stem)
            XCTAssertEqual(IRBuilder.parameters(of: fx.model).map(\.name).sorted(), fx.weightNames, "Keras names every weight as we do")
            for (suffix, format) in cases {
                let url = URL(fileURLWithPath: Self.folder + stem + suffix)
                XCTAssertEqual(try ImportedWeights(url: url, model: fx.description).format, format, stem + suffix)
                for compiler in [CPUCompiler(), ReferenceCompiler()] as [any ProgramCompiler] {
                    let report = try Predictor.predict(weights: url, model: fx.description, images: fx.images, compiler: compiler.compiling(fx.model))
                    XCTAssertEqual(report.predictions.count, fx.probabilities.count)
                    for (ours, theirs) in zip(report.predictions, fx.probabilities) {
                        XCTAssertEqual(ours.probabilities.count, theirs.count)
                        for (a, b) in zip(ours.probabilities, theirs) {
                            XCTAssertEqual(Double(a), b, accuracy: 1e-4, "\(stem)\(suffix) on \(compiler.name)")
                        }
                    }
                }
            }
        }
    }

    /// A graph model with every layer kind that has weights (a convolution without bias,
    /// batchnorm with its own momentum, residual, concat, separable and depthwise convolutions):
    /// Keras' h5 groups (named per class in layer order) and `vars/<i>` order map onto the same
    /// tensors as its Keras-named safetensors. Once the IR compiles every kind, the predictions
    /// are checked against Keras' too.
    func testGraphModelH5MapsEveryKindLikeItsSafetensors() throws {
        let fx = try fixture("graph")
        XCTAssertEqual(IRBuilder.parameters(of: fx.model).map(\.name).sorted(), fx.weightNames)
        let h5 = try ImportedWeights(url: URL(fileURLWithPath: Self.folder + "graph.weights.h5"), model: fx.description)
        let named = try ImportedWeights(url: URL(fileURLWithPath: Self.folder + "graph.safetensors"), model: fx.description)
        XCTAssertEqual(Set(h5.parameters.keys), Set(fx.weightNames))
        for (name, tensor) in named.parameters {
            XCTAssertTrue(h5.parameters[name]?.bitwiseEqual(tensor) == true, name)
        }
        guard (try? IRBuilder.inference(fx.model, batch: 2)) != nil else { return }
        let report = try Predictor.predict(weights: h5.url, model: fx.description, images: fx.images, compiler: CPUCompiler().compiling(fx.model))
        for (ours, theirs) in zip(report.predictions, fx.probabilities) {
            for (a, b) in zip(ours.probabilities, theirs) { XCTAssertEqual(Double(a), b, accuracy: 1e-4) }
        }
    }

    /// The same through the command line, on the sample file itself.
    func testPredictCommandReadsKerasH5() throws {
        let fx = try fixture("one-line")
        let r = try runConvnetc(["predict", "--weights", Self.folder + "one-line.weights.h5", "samples/one-line.convnet",
                                 "--input", "16x16x3", "--format", "json", "--classes", "a,b,c,d,e"] + fx.images)
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["classes"] as? [String], ["a", "b", "c", "d", "e"])
        let predictions = try XCTUnwrap(json["predictions"] as? [[String: Any]])
        for (p, theirs) in zip(predictions, fx.probabilities) {
            for (a, b) in zip(try XCTUnwrap(p["probabilities"] as? [Double]), theirs) { XCTAssertEqual(a, b, accuracy: 1e-4) }
        }
        let wrongCount = try runConvnetc(["predict", "--weights", Self.folder + "one-line.weights.h5", "samples/one-line.convnet",
                                          "--input", "16x16x3", "--classes", "a,b"] + fx.images)
        XCTAssertEqual(wrongCount.status, 1)
        XCTAssertTrue(wrongCount.stderr.contains("--classes names 2 classes but the model's head has 5"), wrongCount.stderr)
        XCTAssertEqual(try runConvnetc(["predict", "--weights", "w", "samples/one-line.convnet", "--classes", "a,,b", "x.png"]).status, 2)
    }

    // MARK: - Files that do not fit

    func testMisshapenAndExtraTensorsAreAllNamedWithTheExpectedShapes() throws {
        let fx = try fixture("one-line")
        let text = message { _ = try ImportedWeights(url: URL(fileURLWithPath: Self.folder + "mismatch.weights.h5"), model: fx.description) }
        XCTAssertTrue(text.contains("mismatch.weights.h5: the tensors do not fit the model (6 problems)"), text)
        XCTAssertTrue(text.contains("misshapen conv2d/kernel (layers/conv2d/vars/0): shape (3, 3, 3, 16) in the file, the model needs (3, 3, 3, 32)"), text)
        XCTAssertTrue(text.contains("misshapen dense/bias (layers/dense/vars/1): shape (8,) in the file, the model needs (5,)"), text)
        XCTAssertTrue(text.contains("extra layers/dense_1/vars/0: shape (8, 5), the model has no such weight"), text)
    }

    func testMissingTensorsOfAnH5FileNameWhereTheyWouldBe() throws {
        let fx = try fixture("batchnorm")
        let text = message { _ = try ImportedWeights(url: URL(fileURLWithPath: Self.folder + "one-line.weights.h5"), model: fx.description) }
        XCTAssertTrue(text.contains("missing batch_normalization/moving_variance (layers/batch_normalization/vars/3): the model needs shape (8,)"), text)
        XCTAssertTrue(text.contains("missing conv2d_1/kernel (layers/conv2d_1/vars/0): the model needs shape (3, 3, 8, 6)"), text)
        XCTAssertTrue(text.contains("misshapen conv2d/kernel"), text)
    }

    /// A Keras-named safetensors file with one tensor dropped, one renamed and one reshaped:
    /// all three problems in one error.
    func testSafetensorsProblemsAreListedTogether() throws {
        let fx = try fixture("one-line")
        var file = try Safetensors.read(from: URL(fileURLWithPath: Self.folder + "one-line.safetensors"))
        file.tensors.removeAll { $0.name == "dense/bias" }
        let i = try XCTUnwrap(file.tensors.firstIndex { $0.name == "conv2d/bias" })
        file.tensors[i] = SafetensorsTensor(name: "conv2d/bias", shape: [2, 16], floats: file.tensors[i].floats!)
        file.tensors.append(SafetensorsTensor(name: "dense_7/kernel", shape: [3], floats: [1, 2, 3]))
        file.tensors.append(SafetensorsTensor(name: "step", shape: [], int64s: [4]))
        let url = try write(file, "bad.safetensors")
        let text = message { _ = try ImportedWeights(url: url, model: fx.description) }
        XCTAssertTrue(text.contains("bad.safetensors: the tensors do not fit the model (4 problems)"), text)
        XCTAssertTrue(text.contains("misshapen conv2d/bias: shape (2, 16) in the file, the model needs (32,)"), text)
        XCTAssertTrue(text.contains("missing dense/bias: the model needs shape (5,)"), text)
        XCTAssertTrue(text.contains("extra dense_7/kernel: shape (3,), the model has no such weight"), text)
        XCTAssertTrue(text.contains("extra step: shape ()"), text)

        let r = try runConvnetc(["predict", "--weights", url.path, "samples/one-line.convnet", "--input", "16x16x3"] + fx.images)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasPrefix("error: " + url.path + ": the tensors do not fit"), r.stderr)
    }

    func testNonFiniteWeightsAreRefusedByName() throws {
        let fx = try fixture("one-line")
        var file = try Safetensors.read(from: URL(fileURLWithPath: Self.folder + "one-line.safetensors"))
        let i = try XCTUnwrap(file.tensors.firstIndex { $0.name == "dense/bias" })
        file.tensors[i] = SafetensorsTensor(name: "dense/bias", shape: [5], floats: [0, .nan, 1, .infinity, 2])
        let keras = try write(file, "nan.safetensors")
        XCTAssertTrue(message { _ = try ImportedWeights(url: keras, model: fx.description) }
            .contains("nan.safetensors: tensor 'dense/bias' holds NaN (at index 1)"))

        // The same in a convnetc checkpoint, through predict and through --resume's path.
        let weights = try ImportedWeights(url: URL(fileURLWithPath: Self.folder + "one-line.safetensors"), model: fx.description)
        var parameters = weights.parameters
        parameters["conv2d/bias"]!.values[3] = -.infinity
        let checkpoint = Checkpoint(parameters: parameters, step: 1, epoch: 1, seed: 1, modelHash: "x",
                                    optimizer: .adam, learningRate: 0.001, classNames: [])
        let url = directory.appendingPathComponent("inf.safetensors")
        try checkpoint.save(to: url)
        XCTAssertTrue(message { _ = try ImportedWeights(url: url, model: fx.description) }.contains("tensor 'conv2d/bias' holds -infinity (at index 3)"))
        XCTAssertTrue(message { _ = try TrainingState(checkpoint: checkpoint, parameters: fx.description.parameters,
                                                      optimizerSlots: [], path: url.path) }
            .contains("tensor 'conv2d/bias' holds -infinity (at index 3)"))
    }

    // MARK: - Damaged and foreign HDF5 files

    /// Every truncation of a Keras file, and damage to its superblock, is an error naming the
    /// file; none crashes.
    func testTruncatedAndCorruptH5FilesAreRefusedByName() throws {
        let fx = try fixture("one-line")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.folder + "one-line.weights.h5")))
        let url = directory.appendingPathComponent("damaged.weights.h5")
        for length in Array(stride(from: 8, to: bytes.count, by: 997)) + [bytes.count - 1] {
            try Data(bytes[0..<length]).write(to: url)
            XCTAssertTrue(message { _ = try ImportedWeights(url: url, model: fx.description) }.hasPrefix(url.path + ": "), "length \(length)")
        }
        var corrupt = bytes
        for i in 8..<48 { corrupt[i] ^= 0x5A }
        try Data(corrupt).write(to: url)
        XCTAssertEqual(message { _ = try ImportedWeights(url: url, model: fx.description) },
                       url.path + ": not a readable HDF5 file (truncated or corrupt)")
        // Damage past the superblock (object headers, B-trees, data): an error naming the file or,
        // where only values changed, a load; never a crash.
        for start in stride(from: 64, to: bytes.count - 64, by: 1531) {
            var damaged = bytes
            for i in start..<start + 64 { damaged[i] = UInt8((i * 37) & 0xFF) }
            try Data(damaged).write(to: url)
            do { _ = try ImportedWeights(url: url, model: fx.description) } catch {
                XCTAssertTrue("\(error)".hasPrefix(url.path + ": "), "\(error)")
            }
        }
        let r = try runConvnetc(["predict", "--weights", url.path, "samples/one-line.convnet", "--input", "16x16x3"] + fx.images)
        XCTAssertTrue([0, 1].contains(r.status), "an exit status, not a signal: \(r.status) \(r.stderr)")
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
    }

    /// The file fuzzing found that makes libhdf5 1.10.8 read through a null pointer (inside
    /// `H5Gget_info`): read in a child process, the crash is the child's, and convnetc reports a
    /// damaged file by name with exit status 1, in-process (the library) and on every command
    /// that reads weights.
    func testAFileThatCrashesLibHDF5IsADamagedFileNotACrash() throws {
        let fx = try fixture("one-line")
        let crash = TestPaths.repoRoot + "/fuzz/crashes/hdf5/crash-bac112db3b49be7ecf57b0432b841015a8550796"
        let expected = crash + ": damaged HDF5 file (the HDF5 library crashed reading it)"
        XCTAssertEqual(message { _ = try ImportedWeights(url: URL(fileURLWithPath: crash), model: fx.description) }, expected)
        let model = "samples/one-line.convnet", input = ["--input", "16x16x3"]
        let out = directory.appendingPathComponent("run").path
        for arguments in [["predict", "--weights", crash, model] + input + fx.images,
                          ["evaluate", "--weights", crash, model] + input + ["--data", "synthetic:shapes:5:20"],
                          [model, "--run", "--target", "cpu", "--init-from", crash, "--epochs", "1", "--out", out]
                              + input + ["--data", "synthetic:shapes:5:20"]] {
            let r = try runConvnetc(arguments)
            XCTAssertEqual(r.status, 1, "\(arguments[0]): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected), "\(arguments[0]): \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Crash"), r.stderr)
        }
    }

    /// The reader's answer crosses a pipe: a truncated or inconsistent one is refused, never
    /// trusted to size an allocation.
    func testTheReaderAnswerIsCheckedWhenDecoded() throws {
        let listing = HDF5Listing(datasets: [HDF5Dataset(path: "layers/dense/vars/0", shape: [2, 3], isFloat: true),
                                             HDF5Dataset(path: "layers/dense/vars/1", shape: [3], isFloat: false)],
                                  values: ["layers/dense/vars/0": [1, 2, 3, 4, 5, 6]])
        let bytes = HDF5Listing.encode(.listing(listing))
        XCTAssertEqual(HDF5Listing.decode(bytes), .listing(listing))
        XCTAssertEqual(HDF5Listing.decode(HDF5Listing.encode(.failure("cannot open 'layers'"))), .failure("cannot open 'layers'"))
        for length in 0..<bytes.count { XCTAssertNil(HDF5Listing.decode(Array(bytes[0..<length])), "length \(length)") }
        XCTAssertNil(HDF5Listing.decode(bytes + [0]))
        var huge = bytes
        huge[22 + "layers/dense/vars/0".utf8.count] = 0x7F  // the first dimension 127, not 2: values the answer lacks
        XCTAssertNil(HDF5Listing.decode(huge))
        XCTAssertEqual(HDF5ReaderCommand.wantedShapes(["a/b=2,3", "c=", "d/e=7"]), ["a/b": [2, 3], "c": [], "d/e": [7]])
        XCTAssertNil(HDF5ReaderCommand.wantedShapes(["a/b=2,x"]))
        XCTAssertNil(HDF5ReaderCommand.wantedShapes(["a/b"]))
    }

    func testAFolderOrAMissingFileIsNamedAsSuch() throws {
        let fx = try fixture("one-line")
        XCTAssertTrue(message { _ = try ImportedWeights(url: directory, model: fx.description) }
            .hasPrefix(directory.path + ": is a folder, not a weights file"))
        let missing = directory.appendingPathComponent("nope.safetensors")
        XCTAssertEqual(message { _ = try ImportedWeights(url: missing, model: fx.description) }, missing.path + ": no such file")
        XCTAssertEqual(message { _ = try ImportedWeights(url: URL(fileURLWithPath: "/dev/null"), model: fx.description) },
                       "/dev/null: is not a regular file")
        let link = directory.appendingPathComponent("link.weights.h5")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: Self.folder + "one-line.weights.h5")
        XCTAssertEqual(try ImportedWeights(url: link, model: fx.description).format, .kerasH5)
    }

    func testKeras2LayoutIsRefusedWithAdvice() throws {
        let fx = try fixture("one-line")
        let text = message { _ = try ImportedWeights(url: URL(fileURLWithPath: Self.folder + "keras2-layout.h5"), model: fx.description) }
        XCTAssertTrue(text.contains("keras2-layout.h5: an HDF5 file with no datasets under 'layers/': not a Keras 3"), text)
        XCTAssertTrue(text.contains("model.save_weights"), text)
    }

    // MARK: - --init-from

    /// A run started from Keras weights begins at epoch 1 with fresh optimizer state, from those
    /// weights: with a learning rate too small to move them, they come out as they went in.
    func testInitFromStartsANewRunFromKerasWeights() throws {
        let fx = try fixture("one-line")
        let h5 = Self.folder + "one-line.weights.h5"
        let out = directory.appendingPathComponent("run")
        let options = TrainingOptions(epochs: 1, batch: 4, learningRate: 1e-12, data: "synthetic:shapes:5:4", seed: 3,
                                      validation: 0.25, outputDirectory: out.path, workers: 1, initFrom: h5)
        let buffer = BufferOutput()
        let result = try Trainer(model: fx.description, options: options, output: buffer).run(compiler: CPUCompiler().compiling(fx.model))
        XCTAssertTrue(buffer.text.contains("Starting from the weights of \(h5) (Keras .weights.h5), fresh optimizer state"), buffer.text)
        XCTAssertEqual(result.epochs.map(\.epoch), [1])
        let saved = try Checkpoint.load(from: try XCTUnwrap(result.finalWeights))
        XCTAssertEqual(saved.epoch, 1)
        XCTAssertEqual(saved.step, result.state.step)
        let keras = try ImportedWeights(url: URL(fileURLWithPath: h5), model: fx.description)
        for (name, t) in keras.parameters {
            let trained = try XCTUnwrap(saved.parameters[name])
            for (a, b) in zip(trained.values, t.values) { XCTAssertEqual(a, b, accuracy: 1e-6, name) }
        }
        var resumeToo = options
        resumeToo.resume = true
        XCTAssertThrowsError(try Trainer(model: fx.description, options: resumeToo)) {
            XCTAssertTrue("\($0)".contains("--init-from \(h5) starts a new run but --resume continues the last one"), "\($0)")
        }
    }

    // MARK: - Helpers

    lazy var directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("keras-import-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    func write(_ file: SafetensorsFile, _ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        try Safetensors.write(file.tensors, metadata: file.metadata, to: url)
        return url
    }
}

/// Collects what a run prints.
final class BufferOutput: ProgressOutput, @unchecked Sendable {
    var text = ""
    var isTerminal: Bool { false }
    func write(_ s: String) { text += s }
}
