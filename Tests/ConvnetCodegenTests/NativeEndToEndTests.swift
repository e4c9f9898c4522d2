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

    /// The same model compiled alone and linked against the prebuilt runtime of this checkout's
    /// release build (`make build`), as `convnetc --target native` does from a release convnetc.
    func testLinkedBinaryMatchesCPU() throws {
        let runtime = PrebuiltRuntime(directory: EmitterGoldenTests.repo.appendingPathComponent(".build/release"))
        guard runtime.isComplete else { throw XCTSkip("no release build with libConvnetRuntime.so: run `make build`") }
        let text = "input 16x16x3\nconv 3x3x8 relu\nconv 3x3x8 relu\nmaxpool 2\nconv 3x3x12 relu\ngap\ndense 3 softmax\n"
        try compareWithCPU(text, name: "linked", evaluate: false, runtime: runtime)
    }

    func compareWithCPU(_ layers: String, name: String, evaluate: Bool, runtime: PrebuiltRuntime? = nil) throws {
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
