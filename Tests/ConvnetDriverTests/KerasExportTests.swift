import ConvnetCPU
import ConvnetInterface
import ConvnetSema
import ConvnetSyntax
import ConvnetTestSupport
import Foundation
import XCTest
@testable import ConvnetDriver
@testable import ConvnetTraining

/// `convnetc export keras`: the program it writes (a golden), its layer lines, and, when
/// `CONVNETC_TF_PYTHON` names a Python with TensorFlow, the program run for real.
/// Re-record the golden with `CONVNETC_RECORD=1 swift test --filter KerasExportTests`.
final class KerasExportTests: XCTestCase {
    /// `samples/NAME` checked under its repository-relative path, so the program names it so.
    func sample(_ name: String) throws -> CheckedModel {
        let text = try String(contentsOfFile: TestPaths.sample(name), encoding: .utf8)
        let result = Frontend.check(source: SourceFile(path: "samples/" + name, text: text))
        return try XCTUnwrap(result.model, "\(result.diagnostics)")
    }

    func testGoldenProgramOfTheOneLineSample() throws {
        let program = KerasExporter.program(try sample("one-line.convnet"), name: "one-line")
        let path = TestPaths.goldenDir + "/keras-export-one-line.py"
        if ProcessInfo.processInfo.environment["CONVNETC_RECORD"] == "1" {
            try program.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing \(path)>"
        if program != expected {
            XCTFail("the exported program differs from \(path)\n" + LineDiff.render(expected: expected, actual: program))
        }
    }

    /// Every layer kind, under the statement it comes from, with Keras' arguments.
    func testEveryLayerKindBecomesItsKerasLayer() throws {
        let text = """
        input 12x10x3
        conv 3x3x4 relu; conv 3x3x5 stride 2 padding valid tanh
        maxpool 2 stride 1
        avgpool 2
        batchnorm
        flatten
        dense 7 sigmoid
        dropout 0.25
        dense 3 softmax
        """
        let model = try XCTUnwrap(Frontend.check(source: SourceFile(path: "m.convnet", text: text)).model)
        let program = KerasExporter.program(model, name: "m")
        for line in [
            "    # line 2: conv 3x3x4 relu\n    conv2d = layers.Conv2D(4, (3, 3), strides=1, padding=\"same\", activation=\"relu\", name=\"conv2d\")(input_layer)",
            "    # line 2: conv 3x3x5 stride 2 padding valid tanh\n    conv2d_1 = layers.Conv2D(5, (3, 3), strides=2, padding=\"valid\", activation=\"tanh\", name=\"conv2d_1\")(conv2d)",
            "max_pooling2d = layers.MaxPooling2D(pool_size=2, strides=1, padding=\"valid\", name=\"max_pooling2d\")(conv2d_1)",
            "average_pooling2d = layers.AveragePooling2D(pool_size=2, strides=2, padding=\"valid\", name=\"average_pooling2d\")(max_pooling2d)",
            "batch_normalization = layers.BatchNormalization(momentum=0.99, epsilon=0.001, name=\"batch_normalization\")(average_pooling2d)",
            "flatten = layers.Flatten(name=\"flatten\")(batch_normalization)",
            "dense = layers.Dense(7, activation=\"sigmoid\", name=\"dense\")(flatten)",
            "dropout = layers.Dropout(0.25, name=\"dropout\")(dense)",
            "dense_1 = layers.Dense(3, activation=\"softmax\", name=\"dense_1\")(dropout)",
            "    return keras.Model(input_layer, dense_1, name=MODEL_NAME)",
            "INPUT_SHAPE = (12, 10, 3)\nCLASSES = 3\n",
        ] {
            XCTAssertTrue(program.contains(line), line)
        }
        let graph = """
        input 16x16x3
        conv 3x3x8 bias off
        batchnorm momentum 0.9 epsilon 0.0001
        activation relu
        residual { conv 3x3x8 relu; conv 3x3x8 }
        concat {
          branch { conv 1x1x4 relu }
          branch { sepconv 3x3x4 multiplier 2 relu }
          branch { dwconv 3x3 stride 1 relu }
        }
        maxpool 2 padding same
        gap; dense 3 softmax
        """
        let g = try XCTUnwrap(Frontend.check(source: SourceFile(path: "g.convnet", text: graph)).model)
        let exported = KerasExporter.program(g, name: "g")
        for line in [
            "conv2d = layers.Conv2D(8, (3, 3), strides=1, padding=\"same\", activation=\"linear\", use_bias=False, name=\"conv2d\")(input_layer)",
            "batch_normalization = layers.BatchNormalization(momentum=0.9, epsilon=0.0001, name=\"batch_normalization\")(conv2d)",
            "activation = layers.Activation(\"relu\", name=\"activation\")(batch_normalization)",
            "add = layers.Add(name=\"add\")([conv2d_2, activation])",
            "separable_conv2d = layers.SeparableConv2D(4, (3, 3), strides=1, depth_multiplier=2, padding=\"same\", activation=\"relu\", name=\"separable_conv2d\")(add)",
            "depthwise_conv2d = layers.DepthwiseConv2D((3, 3), strides=1, depth_multiplier=1, padding=\"same\", activation=\"relu\", name=\"depthwise_conv2d\")(add)",
            "concatenate = layers.Concatenate(axis=-1, name=\"concatenate\")([conv2d_3, separable_conv2d, depthwise_conv2d])",
            "max_pooling2d = layers.MaxPooling2D(pool_size=2, strides=2, padding=\"same\", name=\"max_pooling2d\")(concatenate)",
            "    return keras.Model(input_layer, dense, name=MODEL_NAME)",
        ] {
            XCTAssertTrue(exported.contains(line), line + "\n" + exported.prefix(4000))
        }
        XCTAssertEqual(KerasExporter.python("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\x01\"")
    }

    func testExportCommandWritesTheFile() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).py")
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try runConvnetc(["export", "keras", "samples/flowers-best.convnet", "-o", out.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, out.path + "\n")
        let program = try String(contentsOf: out, encoding: .utf8)
        XCTAssertTrue(program.contains("\"schedule\": \"cosine\""), program)
        XCTAssertTrue(program.contains("\"augment\": {\"flip\": None, \"crop\": None}"), program)
        XCTAssertEqual(try runConvnetc(["export", "keras", "samples/no-such.convnet", "-o", out.path]).status, 1)
    }

    /// The exported program under TensorFlow: `summary`'s counts are convnetc's; `train` writes
    /// weights convnetc loads; `evaluate` of them equals convnetc's evaluation.
    func testExportedProgramRunsWithTensorFlow() throws {
        guard let python = ProcessInfo.processInfo.environment["CONVNETC_TF_PYTHON"], !python.isEmpty else {
            throw XCTSkip("set CONVNETC_TF_PYTHON to a Python with TensorFlow to run the exported program")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keras-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = TestPaths.repoRoot + "/Tests/ConvnetDriverTests/Fixtures/keras_weights/"
        for (cls, image) in [("a", "image0.png"), ("b", "image1.png")] {
            let folder = dir.appendingPathComponent("data/" + cls)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<12 {
                try FileManager.default.copyItem(atPath: fixtures + image, toPath: folder.appendingPathComponent("\(i).png").path)
            }
        }
        let text = """
        input 16x16x3
        conv 3x3x8 relu; batchnorm; maxpool 2; dropout 0.1
        conv 3x3x4 relu; gap; dense 2 softmax
        train { epochs 1; batch 4; augment flip crop 0.8 zoom 0.1 brightness 0.1 contrast 0.8 1.2 saturation 0 2; schedule ramp rampup 1; optimizer adamw lr 0.001 weight_decay 0.01 }
        """
        let modelFile = dir.appendingPathComponent("tiny.convnet")
        try text.write(to: modelFile, atomically: true, encoding: .utf8)
        let model = try XCTUnwrap(Frontend.check(path: modelFile.path).model)
        let script = dir.appendingPathComponent("tiny.py")
        try KerasExporter.program(model, name: "tiny").write(to: script, atomically: true, encoding: .utf8)
        func run(_ args: [String]) throws -> CommandResult {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = [script.path] + args
            p.currentDirectoryURL = dir
            var env = ProcessInfo.processInfo.environment
            env["TF_CPP_MIN_LOG_LEVEL"] = "3"
            p.environment = env
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return CommandResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                                 stderr: String(decoding: e, as: UTF8.self))
        }
        let summary = try run(["summary"])
        XCTAssertEqual(summary.status, 0, summary.stderr)
        XCTAssertTrue(summary.stdout.contains("Total params: \(grouped(model.totalParams)) "), summary.stdout)
        XCTAssertTrue(summary.stdout.contains("Trainable params: \(grouped(model.trainableParams)) "), summary.stdout)

        let train = try run(["train", "--data", "data", "--validation", "0.3", "--out", "run"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let epochs = train.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        XCTAssertEqual(epochs.count, 1, train.stdout)
        XCTAssertNotNil(epochs.first?["val_accuracy"] as? Double, train.stdout)
        XCTAssertTrue(train.stderr.contains("MirroredStrategy: 1 replica(s), global batch 4 = 4 per replica"), train.stderr)

        let weights = dir.appendingPathComponent("run/model.safetensors")
        let ours = try Evaluator.evaluate(weights: weights, model: ModelDescription(model),
                                          options: TrainingOptions(data: dir.appendingPathComponent("data").path, validation: 0.3),
                                          compiler: CPUCompiler().compiling(model), output: BufferOutput())
        XCTAssertEqual(ours.confusion.classNames, ["a", "b"])
        let evaluate = try run(["evaluate", "--weights", weights.path, "--data", "data", "--validation", "0.3"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stderr)
        let theirs = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(theirs["count"] as? Int, ours.count)
        XCTAssertEqual(try XCTUnwrap(theirs["accuracy"] as? Double), ours.accuracy, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(theirs["loss"] as? Double), ours.loss, accuracy: 1e-4)
        XCTAssertEqual(try XCTUnwrap(epochs.first?["val_loss"] as? Double), ours.loss, accuracy: 1e-4)

        // A convnetc checkpoint (with Adam slots and metadata) of those weights reads the same.
        let imported = try ImportedWeights(url: weights, model: ModelDescription(model))
        let slots = Dictionary(uniqueKeysWithValues: imported.parameters.flatMap { name, t in
            ["m", "v"].map { (Checkpoint.slotName($0, parameter: name), CheckpointTensor.zeros(t.shape)) }
        })
        let checkpoint = dir.appendingPathComponent("epoch-001.safetensors")
        try Checkpoint(parameters: imported.parameters, optimizerSlots: slots, step: 4, epoch: 1, seed: 1, modelHash: "x",
                       optimizer: .adam, learningRate: 0.001, classNames: ["a", "b"]).save(to: checkpoint)
        let evaluateCheckpoint = try run(["evaluate", "--weights", checkpoint.path, "--data", "data", "--validation", "0.3"])
        XCTAssertEqual(evaluateCheckpoint.status, 0, evaluateCheckpoint.stderr)
        XCTAssertEqual(evaluateCheckpoint.stdout, evaluate.stdout)

        // The same photos as TFRecord shards (convnetc's writer): 1 of 4 shards held out.
        let shards = dir.appendingPathComponent("shards")
        let written = try runConvnetc(["data", "tfrecord", dir.appendingPathComponent("data").path, shards.path, "--shards", "4"])
        XCTAssertEqual(written.status, 0, written.stderr)
        let glob = shards.path + "/*.tfrec"
        let trainShards = try run(["train", "--data", glob, "--validation", "0.25", "--out", "run2"])
        XCTAssertEqual(trainShards.status, 0, trainShards.stderr)
        let shardWeights = dir.appendingPathComponent("run2/model.safetensors")
        let oursShards = try Evaluator.evaluate(weights: shardWeights, model: ModelDescription(model),
                                                options: TrainingOptions(data: glob, validation: 0.25),
                                                compiler: CPUCompiler().compiling(model), output: BufferOutput())
        let evaluateShards = try run(["evaluate", "--weights", shardWeights.path, "--data", glob, "--validation", "0.25"])
        XCTAssertEqual(evaluateShards.status, 0, evaluateShards.stderr)
        let theirsShards = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(evaluateShards.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(theirsShards["count"] as? Int, oursShards.count)
        XCTAssertEqual(try XCTUnwrap(theirsShards["accuracy"] as? Double), oursShards.accuracy, accuracy: 1e-6)
        XCTAssertEqual(try XCTUnwrap(theirsShards["loss"] as? Double), oursShards.loss, accuracy: 1e-4)

        // A graph model's program builds in Keras with convnetc's parameter counts.
        let graph = try graphModel()
        try KerasExporter.program(graph, name: "graph").write(to: script, atomically: true, encoding: .utf8)
        let graphSummary = try run(["summary"])
        XCTAssertEqual(graphSummary.status, 0, graphSummary.stderr)
        XCTAssertTrue(graphSummary.stdout.contains("Total params: \(grouped(graph.totalParams)) "), graphSummary.stdout)
        XCTAssertTrue(graphSummary.stdout.contains("Non-trainable params: \(grouped(graph.nonTrainableParams)) "), graphSummary.stdout)
    }

    /// `1,795`, as Keras prints counts.
    func grouped(_ n: Int) -> String {
        var digits = String(n), out = ""
        while digits.count > 3 { out = "," + digits.suffix(3) + out; digits.removeLast(3) }
        return digits + out
    }

    /// The graph model of the Keras weight fixtures.
    func graphModel() throws -> CheckedModel {
        let url = URL(fileURLWithPath: TestPaths.repoRoot + "/Tests/ConvnetDriverTests/Fixtures/keras_weights/graph.json")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let result = Frontend.check(source: SourceFile(path: "graph.convnet", text: try XCTUnwrap(json["model"] as? String)))
        return try XCTUnwrap(result.model, "\(result.diagnostics)")
    }
}
