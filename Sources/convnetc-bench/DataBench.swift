import ConvnetData
import Foundation

/// The data path's figures (issue 18): an epoch of the flowers images read from TFRecord shards
/// (streamed: read, CRC-checked, shuffled, decoded) against the same images from the folder's
/// in-memory cache (decoded once before), and the peak resident memory of a training run on the
/// shards at 1x and at 5x the data (the 16 shards linked 5 times), which should stay flat. The
/// shards are written by `convnetc data tfrecord`'s converter into a temporary folder.
/// `BENCH_SKIP_DATA=1` skips it; it skips itself when the flowers photos are absent.
enum DataBench {
    static func run(repo: String) throws -> [BenchRow] {
        let flowers = repo + "/../shared/datasets/flowers"
        guard FileManager.default.fileExists(atPath: flowers) else {
            FileHandle.standardError.write(Data("bench: no \(flowers), data figures skipped\n".utf8))
            return []
        }
        let work = NSTemporaryDirectory() + "convnetc-bench-data-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        let shape = ImageShape(height: 192, width: 192, channels: 3)
        let batch = 32
        var rows: [BenchRow] = []

        var t0 = Stopwatch.now()
        let written = try TFRecordConverter(folder: flowers, output: work + "/x1", shards: 16).run()
        let convertSeconds = Stopwatch.now() - t0
        rows.append(BenchRow(name: "write flowers as 16 TFRecord shards", value: Double(written.records) / convertSeconds,
                             unit: "img/s", note: "  \(written.records) images, \(String(format: "%.1f", convertSeconds)) s"))

        // The folder cache: decode once, then an epoch is a copy from memory.
        t0 = Stopwatch.now()
        let cache = try DatasetLoader.load(flowers, options: LoadOptions(shape: shape, validationFraction: 0))
        let decodeSeconds = Stopwatch.now() - t0
        let cacheRate = try epochRate(cache, batch: batch)
        rows.append(BenchRow(name: "epoch from the folder cache (after decoding)", value: cacheRate, unit: "img/s",
                             note: String(format: "  decoding it first: %.1f s, %.0f img/s", decodeSeconds,
                                          Double(cache.trainCount) / decodeSeconds)))
        // The shards, streamed.
        let shards = try DataSourceLoader.open(data: work + "/x1/*.tfrec", validationData: nil,
                                               options: LoadOptions(shape: shape, validationFraction: 0))
        let shardRate = try epochRate(shards, batch: batch)
        rows.append(BenchRow(name: "epoch streamed from the shards", value: shardRate, unit: "img/s",
                             note: String(format: "  %.3fx the cache; read + CRC + shuffle + decode every epoch", shardRate / cacheRate)))

        // Peak RSS of a training run on the shards, 1x and 5x the data.
        let convnetc = repo + "/.build/release/convnetc"
        guard FileManager.default.isExecutableFile(atPath: convnetc) else {
            FileHandle.standardError.write(Data("bench: no \(convnetc) (make build), memory figures skipped\n".utf8))
            return rows
        }
        try FileManager.default.createDirectory(atPath: work + "/x5", withIntermediateDirectories: true)
        for copy in 0..<5 {
            for file in written.files {
                let name = (file as NSString).lastPathComponent
                try FileManager.default.createSymbolicLink(atPath: work + "/x5/copy\(copy)-\(name)", withDestinationPath: file)
            }
        }
        let model = work + "/small.convnet"
        try memoryModel.write(toFile: model, atomically: true, encoding: .utf8)
        var peaks: [Int] = []
        for (scale, glob) in [(1, work + "/x1/*.tfrec"), (5, work + "/x5/*.tfrec")] {
            let args = [convnetc, model, "--run", "--target", "cpu", "--data", glob, "--out", work + "/run\(scale)"]
            guard let outcome = ChildProcess.run(args, log: work + "/run\(scale).log"), outcome.status == 0 else {
                let log = (try? String(contentsOfFile: work + "/run\(scale).log", encoding: .utf8)) ?? ""
                throw BenchError("the \(scale)x training run failed:\n\(log.suffix(2000))")
            }
            peaks.append(outcome.peakRSS)
            rows.append(BenchRow(name: "peak RSS, 1 epoch on the shards, \(scale)x data", value: Double(outcome.peakRSS) / 1_048_576,
                                 unit: "MiB", note: String(format: "  %d images, %.1f s", written.records * scale, outcome.seconds)))
        }
        rows.append(BenchRow(name: "peak RSS 5x / 1x (flat is 1)", value: Double(peaks[1]) / Double(peaks[0]), unit: "x"))
        if let folderRun = ChildProcess.run([convnetc, model, "--run", "--target", "cpu", "--data", flowers, "--out", work + "/runf"],
                                            log: work + "/runf.log"), folderRun.status == 0 {
            rows.append(BenchRow(name: "peak RSS, 1 epoch on the folder cache, 1x", value: Double(folderRun.peakRSS) / 1_048_576,
                                 unit: "MiB", note: String(format: "  for comparison, %.1f s", folderRun.seconds)))
        }
        return rows
    }

    /// A model small enough that the run measures the data path: one epoch, the flowers' size.
    static let memoryModel = """
        input 192x192x3
        conv 3x3x8 stride 4 relu
        gap
        dense 5 softmax
        train {
          batch 32
          epochs 1
        }
        """

    /// Images/s of one training epoch's batches, filled and converted to floats, no step run.
    static func epochRate(_ data: any DataSource, batch: Int) throws -> Double {
        let batches = data.trainingEpoch(0, batchSize: batch, augmentation: .none)
        var images = [Float](repeating: 0, count: batch * data.shape.elementCount)  // (B, H, W, C)
        var labels = [Int32](repeating: 0, count: batch)
        let t0 = Stopwatch.now()
        for b in 0..<batches.count { try batches.fill(batch: b, into: &images, labels: &labels) }
        return Double(batches.count * batch) / (Stopwatch.now() - t0)
    }
}
