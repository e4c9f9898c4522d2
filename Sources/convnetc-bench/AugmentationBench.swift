import ConvnetData
import ConvnetInterface
import ConvnetSupport
import Foundation

/// Issue 16's figure: training images/s with every augmentation on against none, each step fed
/// as the training loop feeds it (`PrefetchedBatches`: batches converted and augmented on a
/// worker thread while the step runs). The images are synthetic shapes at the model's input size
/// held in memory, so the figure is the augmentation's cost and not the decoder's. Rounds
/// alternate the two, and the ratio is the median of per-round ratios (the goal is at least 0.95).
enum AugmentationBench {
    /// The heaviest recipe the language has: every geometric and colour operation at once.
    static let recipe = "flip crop 0.8 zoom 0.1 brightness 0.2 contrast 0.8 1.2 saturation 0 2"
    static let augmentation = Augmentation(flip: true, cropFraction: 0.8, zoom: 0.1, brightness: 0.2,
                                           contrast: 0.8...1.2, saturation: 0...2)

    static func run(_ exe: any CompiledProgram, name: String, batch: Int, shape: ImageShape, steps: Int,
                    rounds: Int) throws -> [BenchRow] {
        let data = try SyntheticShapes(classes: 5, perClass: max(8, (steps + 1) * batch / 5 + 1))
            .load(options: LoadOptions(shape: shape, validationFraction: 0, seed: 1))
        var plain: [Double] = [], augmented: [Double] = []
        for round in 0..<rounds {
            plain.append(try rate(exe, data: data, augmentation: .none, epoch: round, batch: batch, steps: steps))
            augmented.append(try rate(exe, data: data, augmentation: augmentation, epoch: round, batch: batch, steps: steps))
            FileHandle.standardError.write(Data(("round \(round + 1): training fed from memory \(NumberFormat.fixed(plain[round], 1)) img/s, "
                + "augmented \(NumberFormat.fixed(augmented[round], 1))\n").utf8))
        }
        let ratio = TrainingBench.median(zip(augmented, plain).map { $0 / $1 })
        // What the fill thread spends per batch, alone (less noisy than whole-step rates on a
        // shared machine): filling without and with augmentation, next to a step's time.
        let fillPlain = try fillSeconds(data, augmentation: .none, batch: batch, batches: steps)
        let fillAugmented = try fillSeconds(data, augmentation: augmentation, batch: batch, batches: steps)
        let stepSeconds = Double(batch) / TrainingBench.median(plain)
        return [
            BenchRow(name: "\(name) one batch filled on the fill thread, augment \(recipe)", value: fillAugmented * 1000,
                     unit: "ms", note: String(format: "without augmentation %.1f ms; a training step here %.0f ms", fillPlain * 1000,
                                              stepSeconds * 1000)),
            BenchRow(name: "\(name) training fed from memory, no augmentation, cpu target", value: TrainingBench.median(plain),
                     unit: "img/s", note: "batches filled on the prefetch thread"),
            BenchRow(name: "\(name) training fed from memory, augment \(recipe)", value: TrainingBench.median(augmented),
                     unit: "img/s", note: "augmented / plain = \(NumberFormat.fixed(ratio, 3))x (median of rounds; goal at least 0.95x)"),
        ]
    }

    /// Seconds to fill one batch (bytes -> floats, augmented or not) on this thread, the mean of
    /// `batches` batches.
    static func fillSeconds(_ data: InMemoryDataset, augmentation: Augmentation, batch: Int, batches: Int) throws -> Double {
        let source = data.trainingEpoch(0, batchSize: batch, augmentation: augmentation)
        var images = [Float](repeating: 0, count: batch * data.shape.elementCount)  // (B, H, W, C)
        var labels = [Int32](repeating: 0, count: batch)
        let t0 = Date()
        for b in 0..<batches { try source.fill(batch: b, into: &images, labels: &labels) }
        return Date().timeIntervalSince(t0) / Double(batches)
    }

    /// Images/s of `steps` training steps, each reading its batch as `EpochLoop` does, after one
    /// warm-up step.
    static func rate(_ exe: any CompiledProgram, data: InMemoryDataset, augmentation: Augmentation, epoch: Int,
                     batch: Int, steps: Int) throws -> Double {
        let images = exe.floats(input: ProgramNames.images)  // (B, H, W, C)
        let labels = exe.int32s(input: ProgramNames.labels)  // (B)
        let batches = PrefetchedBatches(data.trainingEpoch(epoch, batchSize: batch, augmentation: augmentation),
                                        imageElements: images.count, labelCount: labels.count)
        precondition(batches.count >= steps + 1, "the synthetic set holds too few batches")
        var t0 = Date()
        for b in 0...steps {
            if b == 1 { t0 = Date() }
            try batches.fill(batch: b, into: images.baseAddress!, labels: labels.baseAddress!)
            try exe.run()
        }
        return Double(batch * steps) / Date().timeIntervalSince(t0)
    }
}
