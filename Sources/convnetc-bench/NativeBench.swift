import ConvnetCodegen
import ConvnetSema
import ConvnetTraining
import Foundation

/// Issue 7's figures: how long the native binary of a model takes to build, and its training
/// images/s (the binary's own `bench` command, run once per round between the other targets).
struct NativeBench {
    let binary: URL
    /// Emit + `swiftc` + link against the prebuilt runtime (`make build` builds it), in an empty
    /// cache: the first build of a model, as users get it.
    let linkedBuildSeconds: Double
    /// The same model at another batch: a rebuild after editing a model (nil when not timed).
    let rebuildSeconds: Double?
    /// Emit + `swift build` in an empty SwiftPM workspace, the libraries compiled from source:
    /// what a first build costs without the prebuilt runtime (nil when not timed).
    let sourceBuildSeconds: Double?

    /// Whether to measure the native target (BENCH_SKIP_NATIVE unset).
    static var enabled: Bool { ProcessInfo.processInfo.environment["BENCH_SKIP_NATIVE"] == nil }

    /// Builds `model`'s binary for `batch` in fresh caches under `.build/bench-native*`
    /// (`workspace` names them); `allTimings` also times the rebuild and the build from source.
    static func build(model: CheckedModel, batch: Int, repo: String, workspace: String = "bench-native",
                      allTimings: Bool = true) throws -> NativeBench {
        guard let runtime = PrebuiltRuntime.located() else {
            throw BenchError("no prebuilt runtime beside the bench binary: run `swift build -c release --product ConvnetRuntime`")
        }
        func timed(_ workspace: String, batch: Int, runtime: PrebuiltRuntime?, clean: Bool) throws -> (URL, Double) {
            let url = URL(fileURLWithPath: repo).appendingPathComponent(".build/\(workspace)")
            if clean { try? FileManager.default.removeItem(at: url) }
            var options = TrainingOptions()
            options.batch = batch
            let t0 = Date()
            let binary = try NativeTarget.build(model: model, options: options, workspaceURL: url, runtime: runtime)
            return (binary, Date().timeIntervalSince(t0))
        }
        let (binary, linked) = try timed(workspace, batch: batch, runtime: runtime, clean: true)
        guard allTimings else {
            return NativeBench(binary: binary, linkedBuildSeconds: linked, rebuildSeconds: nil, sourceBuildSeconds: nil)
        }
        let (_, rebuild) = try timed(workspace, batch: batch / 2, runtime: runtime, clean: false)
        let (_, source) = try timed(workspace + "-source", batch: batch, runtime: nil, clean: true)
        return NativeBench(binary: binary, linkedBuildSeconds: linked, rebuildSeconds: rebuild, sourceBuildSeconds: source)
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
