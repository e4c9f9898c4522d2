import ConvnetCPU
import ConvnetCodegen
import ConvnetIR
import ConvnetNativeRuntime
import ConvnetSupport
import ConvnetTraining
import Foundation
import XCTest

/// Emit + build + run a tiny model on synthetic data, and compare its loss curve with the CPU
/// target's at the same seed. Runs a SwiftPM release build, so only with CONVNETC_NATIVE_TESTS=1.
final class NativeEndToEndTests: XCTestCase {
    /// `loss` of every line of a run's metrics.jsonl.
    static func losses(_ run: URL) throws -> [Double] {
        let text = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let data = line.data(using: .utf8),
                  let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let loss = object["loss"] as? Double else { throw EmitError("no loss in \(line)") }
            return loss
        }
    }

    func testLossCurveMatchesCPU() throws {
        let text = "input 16x16x3\nconv 3x3x8 relu\nconv 3x3x8 relu\nmaxpool 2\nconv 3x3x12 relu\ngap\ndense 3 softmax\n"
        try compareWithCPU(text, name: "tiny", evaluate: true)
    }

    /// Batch norm, overlapping max pool, average pool, dropout, flatten, sigmoid and tanh.
    func testEveryLayerKindMatchesCPU() throws {
        try compareWithCPU(LayerKindEmissionTests.everyLayer, name: "every", evaluate: false)
    }

    /// Pools with `padding same` (3/2 max 16 -> 8 padded after, 2/2 average 8 -> 4 unpadded,
    /// so `valid`, then 3/1 max padded on both sides), linked against the prebuilt runtime
    /// when `make build` made one, else built from source.
    func testSamePaddingPoolsMatchCPU() throws {
        let text = "input 16x16x3\nconv 3x3x8 relu\nmaxpool 3 stride 2 padding same\nconv 3x3x8 relu\n"
            + "avgpool 2 padding same\nmaxpool 3 stride 1 padding same\ngap\ndense 3 softmax\n"
        let runtime = PrebuiltRuntime(directory: EmitterGoldenTests.repo.appendingPathComponent(".build/release"))
        try compareWithCPU(text, name: "samepool", evaluate: false, runtime: runtime.isComplete ? runtime : nil)
    }

    /// A fire module (concat and its channel slices), a residual, an add with an identity
    /// branch, depthwise and separable convolutions and batch norms with momentum: the native
    /// binary calls the CPU target's kernels in the CPU executor's order, so it trains to the same
    /// weights bit for bit (a batch norm or bias gradient summed in another order shows here
    /// first, as a last-bit difference that Adam turns into a visible one within epochs).
    func testBranchingModelMatchesCPU() throws {
        let runtime = PrebuiltRuntime(directory: EmitterGoldenTests.repo.appendingPathComponent(".build/release"))
        try compareWithCPU(Self.branching, name: "branching", evaluate: false, runtime: runtime.isComplete ? runtime : nil,
                           sameWeights: true)
    }

    static let branching = """
        input 16x16x3
        conv 3x3x8 relu
        batchnorm momentum 0.9
        block fire(squeeze, expand) {
          conv 1x1x{squeeze} relu
          batchnorm momentum 0.9
          concat {
            branch { conv 1x1x{expand} relu; batchnorm momentum 0.9 }
            branch { conv 3x3x{expand} relu; batchnorm momentum 0.9 }
          }
        }
        fire(4, 8); maxpool 2
        residual { conv 3x3x16 relu; conv 3x3x16 }
        activation relu
        add {
          branch { dwconv 3x3 relu }
          branch { }
        }
        sepconv 3x3x12 relu
        batchnorm
        dwconv 3x3 stride 2 multiplier 2
        gap
        dense 3 softmax

        """

    /// The Keras fixture of `KerasBranchingProbabilityTests` (a branching model trained in
    /// Keras, its weight files and Keras' probabilities on four images) through a native binary:
    /// `BINARY predict --weights W --format json IMAGE...` matches Keras to 1e-3 from both files.
    func testKerasBranchingProbabilities() throws {
        guard ProcessInfo.processInfo.environment["CONVNETC_NATIVE_TESTS"] == "1" else {
            throw XCTSkip("set CONVNETC_NATIVE_TESTS=1 to build and run a native binary")
        }
        let folder = EmitterGoldenTests.repo.appendingPathComponent("Tests/ConvnetDriverTests/Fixtures/keras_branching")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("branching.json"))) as? [String: Any])
        let path = folder.appendingPathComponent("branching.convnet").path
        let model = try EmitterGoldenTests.model(try String(contentsOfFile: path, encoding: .utf8), path: path, input: [16, 16, 3])
        let images = try XCTUnwrap(json["images"] as? [String]).map { folder.appendingPathComponent($0).path }
        let expected = try XCTUnwrap(json["probabilities"] as? [[Double]])
        let runtime = PrebuiltRuntime(directory: EmitterGoldenTests.repo.appendingPathComponent(".build/release"))
        let binary = try NativeTarget.build(model: model, options: TrainingOptions(batch: images.count),
                                            workspaceURL: NativeWorkspace.defaultURL, runtime: runtime.isComplete ? runtime : nil)
        for weights in ["branching.weights.h5", "branching.safetensors"] {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["predict", "--weights", folder.appendingPathComponent(weights).path, "--format", "json"] + images
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, weights)
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: output) as? [String: Any], String(decoding: output, as: UTF8.self))
            let predictions = try XCTUnwrap(report["predictions"] as? [[String: Any]])
            XCTAssertEqual(predictions.count, expected.count)
            for (p, theirs) in zip(predictions, expected) {
                let ours = try XCTUnwrap(p["probabilities"] as? [Double])
                XCTAssertEqual(ours.count, theirs.count)
                for (a, b) in zip(ours, theirs) { XCTAssertEqual(a, b, accuracy: 1e-3, "\(weights): native \(ours) vs Keras \(theirs)") }
            }
        }
    }

    /// The same model compiled alone and linked against the prebuilt runtime of this checkout's
    /// release build (`make build`), as `convnetc --target native` does from a release convnetc.
    func testLinkedBinaryMatchesCPU() throws {
        let runtime = PrebuiltRuntime(directory: EmitterGoldenTests.repo.appendingPathComponent(".build/release"))
        guard runtime.isComplete else { throw XCTSkip("no release build with libConvnetRuntime.so: run `make build`") }
        let text = "input 16x16x3\nconv 3x3x8 relu\nconv 3x3x8 relu\nmaxpool 2\nconv 3x3x12 relu\ngap\ndense 3 softmax\n"
        try compareWithCPU(text, name: "linked", evaluate: false, runtime: runtime)
    }

    func compareWithCPU(_ layers: String, name: String, evaluate: Bool, runtime: PrebuiltRuntime? = nil,
                        sameWeights: Bool = false) throws {
        guard ProcessInfo.processInfo.environment["CONVNETC_NATIVE_TESTS"] == "1" else {
            throw XCTSkip("set CONVNETC_NATIVE_TESTS=1 to build and run a native binary")
        }
        let text = layers + "train {\n  data \"synthetic:shapes:3:16\"\n  batch 4\n  epochs 2\n  seed 5\n}\n"
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("convnetc-native-e2e-\(getpid())-\(name)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let path = tmp.appendingPathComponent("\(name).convnet").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let model = try EmitterGoldenTests.model(text, path: path, input: [16, 16, 3])

        let cpuRun = tmp.appendingPathComponent("cpu")
        let cpuOptions = TrainingOptions(outputDirectory: cpuRun.path)
        let cpu = try Trainer(model: ModelDescription(model), options: cpuOptions).run(compiler: CPUCompiler().compiling(model))
        XCTAssertEqual(cpu.exitStatus, 0)

        let nativeRun = tmp.appendingPathComponent("native")
        let status = try NativeTarget.run(model: model, options: TrainingOptions(outputDirectory: nativeRun.path),
                                          workspaceURL: NativeWorkspace.defaultURL, runtime: runtime) { print($0, terminator: "") }
        XCTAssertEqual(status, 0)

        let a = try Self.losses(cpuRun), b = try Self.losses(nativeRun)
        XCTAssertEqual(a.count, 2)
        XCTAssertEqual(a.count, b.count)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x, y, accuracy: 1e-4 * max(abs(x), 1e-6), "native \(b) vs cpu \(a)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: nativeRun.appendingPathComponent("model.safetensors").path))
        if sameWeights {
            let a = try Safetensors.read(from: cpuRun.appendingPathComponent("model.safetensors"))
            let b = try Safetensors.read(from: nativeRun.appendingPathComponent("model.safetensors"))
            XCTAssertEqual(a.tensors.map(\.name), b.tensors.map(\.name))
            for t in a.tensors {
                guard let x = t.floats, let y = b.tensor(named: t.name)?.floats else { continue }
                let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
                XCTAssertEqual(x, y, "\(t.name): the native weights differ from the CPU target's by up to \(worst)")
            }
        }
        guard evaluate else { return }
        // evaluate --target native: the same binary (same batch) runs the library's Evaluator.
        let weights = nativeRun.appendingPathComponent("model.safetensors").path
        XCTAssertEqual(try NativeTarget.evaluate(model: model, weights: weights, options: TrainingOptions()), 0)
        XCTAssertNotEqual(try NativeTarget.evaluate(model: model, weights: tmp.appendingPathComponent("missing").path,
                                                    options: TrainingOptions()), 0)
    }
}

/// The figures of the report: build time (fresh workspace, then the model alone) of
/// flowers.convnet's binary and its training images/s at batch 32 on synthetic data.
/// Only with CONVNETC_NATIVE_BENCH=1 (minutes of release builds).
final class NativeFlowersBenchTests: XCTestCase {
    func testFlowersBuildAndThroughput() throws {
        guard ProcessInfo.processInfo.environment["CONVNETC_NATIVE_BENCH"] == "1" else {
            throw XCTSkip("set CONVNETC_NATIVE_BENCH=1 to build flowers.convnet natively")
        }
        let path = EmitterGoldenTests.repo.appendingPathComponent("samples/flowers.convnet").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let model = try EmitterGoldenTests.model(text, path: path, input: [192, 192, 3])
        let workspace = URL(fileURLWithPath: ProcessInfo.processInfo.environment["CONVNETC_NATIVE_CACHE"]
                            ?? NSTemporaryDirectory() + "/convnetc-native-bench")
        let options = TrainingOptions(epochs: 1, batch: 32, data: "synthetic:shapes:5:64", seed: 1, validation: 0.1,
                                      outputDirectory: NSTemporaryDirectory() + "/convnetc-native-bench-run")
        var start = Date()
        let binary = try NativeTarget.build(model: model, options: options, workspaceURL: workspace)
        print("native build (as found): \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        // Rebuild the model alone: drop its binary and module, keep the libraries.
        let release = workspace.appendingPathComponent(".build/release")
        try? FileManager.default.removeItem(at: binary)
        try? FileManager.default.removeItem(at: release.appendingPathComponent(binary.lastPathComponent + ".build"))
        start = Date()
        _ = try NativeTarget.build(model: model, options: options, workspaceURL: workspace)
        print("native build (libraries cached): \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        start = Date()
        _ = try NativeTarget.build(model: model, options: options, workspaceURL: workspace)
        print("native build (binary cached): \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        let status = try NativeTarget.run(model: model, options: options, workspaceURL: workspace)
        XCTAssertEqual(status, 0)
    }
}
