import ConvnetKernels
import ConvnetSupport
import Foundation

// `make bench`: the figures the issues ask for, measured in one process. Speeds are quoted next
// to a peer measured in the same run where there is one, because the machines are shared and noisy.

BLASEnvironment.reexecIfSlowCore()

struct BenchRow {
    var name: String
    var value: Double
    var unit: String
    var note: String = ""
}

let repo = CommandLine.arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath
let env = ProcessInfo.processInfo.environment
// The TensorFlow peer runs when a Python with TensorFlow is named (never in CI).
let tfPython = env["TF_PYTHON"].flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
var rows: [BenchRow] = []
do {
    rows += try FrontendBench.run(repo: repo)
    rows += try OptimizerBench.run(repo: repo)
    if env["BENCH_SKIP_DATA"] == nil { rows += try DataBench.run(repo: repo) }
    if env["BENCH_SKIP_TRAINING"] == nil {
        // BENCH_MODELS=flowers,squeezenet (the default) picks the trained models; squeezenet's
        // TensorFlow peer is the Keras functional model of its fixture script. The native
        // rebuild and from-source build times are flowers' only (issue 7's figures).
        let models = (env["BENCH_MODELS"] ?? "flowers,squeezenet").split(separator: ",").map(String.init)
        let kerasBuilders = ["flowers": nil, "squeezenet": "squeezenet"] as [String: String?]
        for name in models {
            guard let keras = kerasBuilders[name] else {
                throw BenchError("BENCH_MODELS: unknown model '\(name)' (known: flowers, squeezenet)")
            }
            rows += try TrainingBench.run(repo: repo, model: repo + "/samples/\(name).convnet", keras: keras, batch: 32,
                                          steps: Int(env["BENCH_STEPS"] ?? "") ?? 5,
                                          rounds: Int(env["BENCH_ROUNDS"] ?? "") ?? 3, tfPython: tfPython,
                                          nativeBuildTimes: name == "flowers")
        }
    }
} catch {
    FileHandle.standardError.write(Data("convnetc-bench: \(error)\n".utf8))
    exit(1)
}

let width = rows.map(\.name.count).max() ?? 0
print("convnetc benchmarks (OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"), BLAS core \(BLASInfo.coreName))")
for row in rows {
    print(NumberFormat.padRight(row.name, width + 2) + NumberFormat.padLeft(NumberFormat.fixed(row.value, 3), 12)
          + " " + NumberFormat.padRight(row.unit, 6) + row.note)
}
