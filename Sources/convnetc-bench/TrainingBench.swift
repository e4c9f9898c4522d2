import ConvnetCPU
import ConvnetData
import ConvnetDriver
import ConvnetIR
import ConvnetSema
import ConvnetSupport
import ConvnetTraining
import Foundation

/// Issue 5's figures: training and inference images/s and effective GFLOP/s of a model at its
/// input size on the CPU target, against the machine's ceiling and, when a TensorFlow venv is
/// available, TensorFlow in the same run (interleaved, so both see the same machine load).
enum TrainingBench {
    /// machine.md: a tight AVX-512 FMA loop reaches about 560 GFLOP/s on both cores.
    static let ceilingGFLOPs = 560.0

    struct Figures {
        var trainImagesPerSecond: Double
        var inferImagesPerSecond: Double
    }

    /// Whether to measure the TPU emulator's training step too (BENCH_SKIP_TPU unset).
    static var measureTPU: Bool { ProcessInfo.processInfo.environment["BENCH_SKIP_TPU"] == nil }

    /// One model's rows. `keras` names the TensorFlow peer's builder for a branching model
    /// (`tf_peer.py --keras`); `nativeBuildTimes` adds the native rebuild and from-source build
    /// times (one model's are enough: they measure the toolchain, not the model).
    static func run(repo: String, model path: String, keras: String? = nil, batch: Int, steps: Int, rounds: Int,
                    tfPython: String?, nativeBuildTimes: Bool = true) throws -> [BenchRow] {
        guard let model = Frontend.check(path: path).model else {
            throw BenchError("\(path) does not check")
        }
        let train = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        let infer = try IRBuilder.inference(model, batch: batch)
        let trainFlopsPerImage = Double(FlopCounter.total(train.graph)) / Double(batch)
        let inferFlopsPerImage = Double(FlopCounter.total(infer.graph)) / Double(batch)
        let compiler = CPUCompiler()
        let trainExe = try compiler.compile(train)
        let inferExe = try compiler.compile(infer)
        StepBenchmark.fill(trainExe, classes: model.classCount)
        StepBenchmark.fill(inferExe, classes: model.classCount)
        // The TPU emulator's training step (8 emulated cores, bfloat16 MXU), same batch.
        let tpuExe = measureTPU ? try Target.tpu.compiler(model: model).compile(train) : nil
        if let tpuExe { StepBenchmark.fill(tpuExe, classes: model.classCount) }
        var tpuRates: [Double] = []
        let name = Frontend.modelName(path: path)
        let native = NativeBench.enabled
            ? try NativeBench.build(model: model, batch: batch, repo: repo, workspace: "bench-native-\(name)",
                                    allTimings: nativeBuildTimes) : nil
        var nativeRates: [Double] = []

        let peer = tfPython.flatMap { PeerProcess(python: $0, repo: repo, model: path, keras: keras, batch: batch, steps: steps) }
        defer { peer?.stop() }
        var ours: [Figures] = []
        var peers: [Figures] = []
        for _ in 0..<rounds {
            // Each of our rates is followed at once by the peer's, so a round's two figures see
            // the same machine; ratios are taken per round.
            let cpuTrain = try StepBenchmark.imagesPerSecond(trainExe, batch: batch, steps: steps)
            let peerTrain = peer?.rate("train", steps: steps)
            if let native { nativeRates.append(try native.trainingRate(steps: steps)) }
            let cpuInfer = try StepBenchmark.imagesPerSecond(inferExe, batch: batch, steps: steps)
            let peerInfer = peer?.rate("infer", steps: steps)
            if let tpuExe { tpuRates.append(try StepBenchmark.imagesPerSecond(tpuExe, batch: batch, steps: steps)) }
            ours.append(Figures(trainImagesPerSecond: cpuTrain, inferImagesPerSecond: cpuInfer))
            if let peerTrain, let peerInfer {
                peers.append(Figures(trainImagesPerSecond: peerTrain, inferImagesPerSecond: peerInfer))
            } else if peer != nil {
                FileHandle.standardError.write(Data("bench: the TensorFlow peer did not answer in round \(ours.count); no TensorFlow figures\n".utf8))
            }
            // Each round on stderr, so the spread behind the medians can be seen.
            var line = "\(name) round \(ours.count): cpu train \(NumberFormat.fixed(cpuTrain, 1)), infer \(NumberFormat.fixed(cpuInfer, 1))"
            if let tpu = tpuRates.last { line += ", tpu train \(NumberFormat.fixed(tpu, 1))" }
            if let rate = nativeRates.last { line += ", native train \(NumberFormat.fixed(rate, 1))" }
            if let last = peers.last, peers.count == ours.count {
                line += "; peer train \(NumberFormat.fixed(last.trainImagesPerSecond, 1)), infer \(NumberFormat.fixed(last.inferImagesPerSecond, 1))"
            }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        let peerName = peer?.name ?? ""
        /// The median over rounds of a / b.
        func ratio(_ a: [Double], _ b: [Double]) -> String {
            NumberFormat.fixed(median(zip(a, b).map { $0 / $1 }), 2) + "x"
        }
        if ProcessInfo.processInfo.environment["BENCH_PROFILE"] != nil, let cpu = trainExe as? CPUExecutable {
            // Where a training step's time goes, by op and by layer (BENCH_PROFILE=1).
            cpu.profiling = true
            for _ in 0..<max(steps, 1) { try cpu.run() }
            print(cpu.profileTable(byLayer: false))
            print(cpu.profileTable(byLayer: true))
        }
        let trainRate = median(ours.map(\.trainImagesPerSecond)), inferRate = median(ours.map(\.inferImagesPerSecond))
        let peersAnswered = !peers.isEmpty && peers.count == ours.count
        var rows = [
            BenchRow(name: "\(name) training, cpu target, batch \(batch)", value: trainRate, unit: "img/s",
                     note: "\(NumberFormat.fixed(trainRate * trainFlopsPerImage / 1e9, 1)) GFLOP/s = \(NumberFormat.percent(trainRate * trainFlopsPerImage / 1e9 / ceilingGFLOPs)) of the \(Int(ceilingGFLOPs)) GFLOP/s ceiling"),
            BenchRow(name: "\(name) inference, cpu target, batch \(batch)", value: inferRate, unit: "img/s",
                     note: "\(NumberFormat.fixed(inferRate * inferFlopsPerImage / 1e9, 1)) GFLOP/s"),
        ]
        if !tpuRates.isEmpty {
            let tpu = median(tpuRates)
            let vsTF = peersAnswered ? ", tpu / TF = \(ratio(tpuRates, peers.map(\.trainImagesPerSecond)))" : ""
            rows.append(BenchRow(name: "\(name) training, tpu target (emulated, 8 cores), batch \(batch)", value: tpu,
                                 unit: "img/s", note: "tpu / cpu = \(ratio(tpuRates, ours.map(\.trainImagesPerSecond)))" + vsTF))
        }
        if let native {
            let rate = median(nativeRates)
            let vsTF = peers.count == nativeRates.count && !peers.isEmpty
                ? ", native / TF = \(ratio(nativeRates, peers.map(\.trainImagesPerSecond)))" : ""
            rows.append(BenchRow(name: "\(name) native binary build, empty cache", value: native.linkedBuildSeconds, unit: "s",
                                 note: "goal: under 60 s; swiftc + link against the prebuilt libConvnetRuntime.so"))
            if let rebuild = native.rebuildSeconds {
                rows.append(BenchRow(name: "\(name) native binary rebuild, model changed", value: rebuild, unit: "s",
                                     note: "the model at batch \(batch / 2)"))
            }
            if let source = native.sourceBuildSeconds {
                rows.append(BenchRow(name: "\(name) native binary build from source, empty workspace", value: source,
                                     unit: "s", note: "no prebuilt runtime: SwiftPM compiles the libraries too"))
            }
            rows.append(BenchRow(name: "\(name) training, native target, batch \(batch)", value: rate, unit: "img/s",
                                 note: "native / cpu = \(ratio(nativeRates, ours.map(\.trainImagesPerSecond)))" + vsTF))
        }
        if ProcessInfo.processInfo.environment["BENCH_SKIP_AUGMENT"] == nil {
            let shape = ImageShape(height: model.inputShape.height, width: model.inputShape.width, channels: model.inputShape.channels)
            rows += try AugmentationBench.run(trainExe, name: name, batch: batch, shape: shape, steps: steps, rounds: rounds)
        }
        if peersAnswered {  // every round answered
            let pt = median(peers.map(\.trainImagesPerSecond)), pi = median(peers.map(\.inferImagesPerSecond))
            rows += [
                BenchRow(name: "\(name) training, \(peerName)", value: pt, unit: "img/s",
                         note: "convnetc / TF = \(ratio(ours.map(\.trainImagesPerSecond), peers.map(\.trainImagesPerSecond))) (median of rounds)"),
                BenchRow(name: "\(name) inference, \(peerName)", value: pi, unit: "img/s",
                         note: "convnetc / TF = \(ratio(ours.map(\.inferImagesPerSecond), peers.map(\.inferImagesPerSecond))) (median of rounds)"),
            ]
        }
        return rows
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
