import ConvnetCPU
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

    static func run(repo: String, model path: String, batch: Int, steps: Int, rounds: Int,
                    tfPython: String?) throws -> [BenchRow] {
        guard let model = Frontend.check(path: path).model else {
            throw BenchError("\(path) does not check")
        }
        let train = try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        let infer = IRBuilder.inference(model, batch: batch)
        let trainFlopsPerImage = Double(FlopCounter.total(train.graph)) / Double(batch)
        let inferFlopsPerImage = Double(FlopCounter.total(infer.graph)) / Double(batch)
        let compiler = CPUCompiler()
        let trainExe = try compiler.compile(train)
        let inferExe = try compiler.compile(infer)
        StepBenchmark.fill(trainExe, classes: model.classCount)
        StepBenchmark.fill(inferExe, classes: model.classCount)
        // The TPU emulator's training step (8 emulated cores, bfloat16 MXU), same batch.
        let tpuExe = measureTPU ? try Target.tpu.compiler(model: model, cores: 8).compile(train) : nil
        if let tpuExe { StepBenchmark.fill(tpuExe, classes: model.classCount) }
        var tpuRates: [Double] = []
        let native = NativeBench.enabled ? try NativeBench.build(model: model, batch: batch, repo: repo) : nil
        var nativeRates: [Double] = []

        var ours: [Figures] = []
        var peers: [Figures] = []
        var peerName = ""
        for _ in 0..<rounds {
            ours.append(Figures(trainImagesPerSecond: try StepBenchmark.imagesPerSecond(trainExe, batch: batch, steps: steps),
                                inferImagesPerSecond: try StepBenchmark.imagesPerSecond(inferExe, batch: batch, steps: steps)))
            if let tpuExe { tpuRates.append(try StepBenchmark.imagesPerSecond(tpuExe, batch: batch, steps: steps)) }
            if let native { nativeRates.append(try native.trainingRate(steps: steps)) }
            if let tfPython, let peer = runPeer(python: tfPython, repo: repo, model: path, batch: batch, steps: steps) {
                peers.append(peer.figures)
                peerName = peer.name
            }
            // Each round on stderr, so the spread behind the medians can be seen.
            let last = ours[ours.count - 1]
            var line = "round \(ours.count): cpu train \(NumberFormat.fixed(last.trainImagesPerSecond, 1)), infer \(NumberFormat.fixed(last.inferImagesPerSecond, 1))"
            if let tpu = tpuRates.last { line += ", tpu train \(NumberFormat.fixed(tpu, 1))" }
            if let rate = nativeRates.last { line += ", native train \(NumberFormat.fixed(rate, 1))" }
            if let peer = peers.last, peers.count == ours.count {
                line += "; peer train \(NumberFormat.fixed(peer.trainImagesPerSecond, 1)), infer \(NumberFormat.fixed(peer.inferImagesPerSecond, 1))"
            }
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        if ProcessInfo.processInfo.environment["BENCH_PROFILE"] != nil, let cpu = trainExe as? CPUExecutable {
            // Where a training step's time goes, by op and by layer (BENCH_PROFILE=1).
            cpu.profiling = true
            for _ in 0..<max(steps, 1) { try cpu.run() }
            print(cpu.profileTable(byLayer: false))
            print(cpu.profileTable(byLayer: true))
        }
        let trainRate = median(ours.map(\.trainImagesPerSecond)), inferRate = median(ours.map(\.inferImagesPerSecond))
        let name = Frontend.modelName(path: path)
        var rows = [
            BenchRow(name: "\(name) training, cpu target, batch \(batch)", value: trainRate, unit: "img/s",
                     note: "\(NumberFormat.fixed(trainRate * trainFlopsPerImage / 1e9, 1)) GFLOP/s = \(NumberFormat.percent(trainRate * trainFlopsPerImage / 1e9 / ceilingGFLOPs)) of the \(Int(ceilingGFLOPs)) GFLOP/s ceiling"),
            BenchRow(name: "\(name) inference, cpu target, batch \(batch)", value: inferRate, unit: "img/s",
                     note: "\(NumberFormat.fixed(inferRate * inferFlopsPerImage / 1e9, 1)) GFLOP/s"),
        ]
        if !tpuRates.isEmpty {
            let tpu = median(tpuRates)
            rows.append(BenchRow(name: "\(name) training, tpu target (emulated, 8 cores), batch \(batch)", value: tpu,
                                 unit: "img/s", note: "tpu / cpu = \(NumberFormat.fixed(tpu / trainRate, 2))x"))
        }
        var peerTrain: Double?
        if !peers.isEmpty { peerTrain = median(peers.map(\.trainImagesPerSecond)) }
        if let native {
            let rate = median(nativeRates)
            let vsTF = peerTrain.map { ", native / TF = \(NumberFormat.fixed(rate / $0, 2))x" } ?? ""
            rows += [
                BenchRow(name: "\(name) native binary build, empty workspace", value: native.coldBuildSeconds, unit: "s",
                         note: "goal: under 60 s; libraries compiled too"),
                BenchRow(name: "\(name) native binary rebuild, model changed", value: native.rebuildSeconds, unit: "s",
                         note: "libraries cached (the model at batch \(batch / 2))"),
                BenchRow(name: "\(name) training, native target, batch \(batch)", value: rate, unit: "img/s",
                         note: "native / cpu = \(NumberFormat.fixed(rate / trainRate, 2))x" + vsTF),
            ]
        }
        if !peers.isEmpty {
            let pt = median(peers.map(\.trainImagesPerSecond)), pi = median(peers.map(\.inferImagesPerSecond))
            rows += [
                BenchRow(name: "\(name) training, \(peerName)", value: pt, unit: "img/s",
                         note: "convnetc / TF = \(NumberFormat.fixed(trainRate / pt, 2))x"),
                BenchRow(name: "\(name) inference, \(peerName)", value: pi, unit: "img/s",
                         note: "convnetc / TF = \(NumberFormat.fixed(inferRate / pi, 2))x"),
            ]
        }
        return rows
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    /// Runs bench/tf_peer.py; nil (with a note) when it fails.
    static func runPeer(python: String, repo: String, model: String, batch: Int, steps: Int)
        -> (name: String, figures: Figures)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repo + "/bench/tf_peer.py", model, "--batch", String(batch), "--steps", String(steps)]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            FileHandle.standardError.write(Data("bench: cannot run \(python): \(error)\n".utf8))
            return nil
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let json = try? JSONParser.parse(String(line)),
              let train = json["train_images_per_sec"]?.doubleValue,
              let infer = json["inference_images_per_sec"]?.doubleValue else {
            FileHandle.standardError.write(Data("bench: the TensorFlow peer failed (exit \(process.terminationStatus))\n".utf8))
            return nil
        }
        return (json["peer"]?.stringValue ?? "TensorFlow", Figures(trainImagesPerSecond: train, inferImagesPerSecond: infer))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
