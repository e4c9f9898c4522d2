import ConvnetIR
import ConvnetSema
import ConvnetSyntax

/// `convnetc profile FILE --target tpu [--batch N] [--cores N] [--train]`: builds the per-core
/// program of a checked model and costs it.
public enum TPUProfiler {
    /// The report for `model` at `globalBatch` split over `cores` cores.
    ///
    /// Training costs the per-core `IRBuilder.trainingStep` (forward, backward and the optimizer
    /// update, which every core applies) at the per-core batch, plus the all-reduce of every
    /// trainable weight's float32 gradient. Inference costs `IRBuilder.inference` at the
    /// per-core batch. `optimize` rewrites the graph first (pass the optimizer's pipeline, e.g.
    /// `{ try Pipeline.for(.tpu).run($0) }`, to cost the fused program a backend runs).
    ///
    /// Throws `DataParallelError` when the batch does not split evenly, `IRBuilderError` /
    /// `AutodiffError` when the model cannot be trained.
    public static func report(_ model: CheckedModel, name: String = "", globalBatch: Int, cores: Int,
                              training: Bool, optimizer: OptimizerSetting = .adam(learningRate: 0.001),
                              device: TPUDevice = .tpuV2, layout: TileLayout = .exact,
                              optimize: (Graph) throws -> Graph = { $0 }) throws -> ProfileReport {
        let split = try DataParallelSplit(globalBatch: globalBatch, cores: cores)
        let program = training
            ? try IRBuilder.trainingStep(model, batch: split.perCoreBatch, optimizer: optimizer)
            : try IRBuilder.inference(model, batch: split.perCoreBatch)
        let rows = TPUCostModel(device: device, layout: layout).profile(try optimize(program.graph))
        let gradientBytes = training ? 4 * program.parameters.filter(\.trainable).reduce(0) { $0 + $1.elementCount } : 0
        return ProfileReport(name: name, mode: training ? .training : .inference, rows: rows, device: device,
                             cores: cores, perCoreBatch: split.perCoreBatch, allReduceBytes: gradientBytes,
                             layout: layout)
    }
}
