import ConvnetCodegen
import ConvnetSema
import ConvnetTraining
import Foundation

/// Issue 7's figures: how long the native binary of a model takes to build, and its training
/// images/s (the binary's own `bench` command, run once per round between the other targets).
struct NativeBench {
    let binary: URL
    /// Emit + `swift build` in an empty workspace: the libraries are compiled too.
    let coldBuildSeconds: Double
    /// The same model at another batch in that workspace: only the model's sources compile, as
    /// after editing a model.
    let rebuildSeconds: Double

    /// Whether to measure the native target (BENCH_SKIP_NATIVE unset).
    static var enabled: Bool { ProcessInfo.processInfo.environment["BENCH_SKIP_NATIVE"] == nil }

    /// Builds `model`'s binary for `batch` in a fresh workspace under `.build/bench-native`.
    static func build(model: CheckedModel, batch: Int, repo: String) throws -> NativeBench {
        let workspace = URL(fileURLWithPath: repo).appendingPathComponent(".build/bench-native")
        try? FileManager.default.removeItem(at: workspace)
        var options = TrainingOptions()
        options.batch = batch
        let t0 = Date()
        let binary = try NativeTarget.build(model: model, options: options, workspaceURL: workspace)
        let cold = Date().timeIntervalSince(t0)
        options.batch = batch / 2
        let t1 = Date()
        _ = try NativeTarget.build(model: model, options: options, workspaceURL: workspace)
        return NativeBench(binary: binary, coldBuildSeconds: cold, rebuildSeconds: Date().timeIntervalSince(t1))
    }

    /// One `bench` run of the binary: its training images/s.
    func trainingRate(steps: Int) throws -> Double {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["bench", "--steps", String(steps)]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        struct Report: Decodable { let train_images_per_second: Double }
        guard process.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8)) else {
            throw BenchError("the native binary's bench failed (exit \(process.terminationStatus)): \(binary.path)")
        }
        return report.train_images_per_second
    }
}
