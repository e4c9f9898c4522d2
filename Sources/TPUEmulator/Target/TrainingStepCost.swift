import ConvnetIR

/// The modelled cost of one data-parallel training step of the programs the TPU target runs.
///
/// Every core runs the optimized gradient program on its shard and then the update program
/// (the same update on every core), so one core's cycles are the sum of both programs' rows
/// (`TPUCostModel`, ops in sequence); the ring all-reduce of every trainable weight's float32
/// gradient sits between them. The update's rows belong to the step because each core really
/// applies it; the host emulates it only once.
enum TrainingStepCost {
    static func report(gradient: Graph, update: Graph, split: DataParallelSplit, device: TPUDevice) -> ProfileReport {
        let model = TPUCostModel(device: device)
        let rows = model.profile(gradient) + model.profile(update)
        let gradientBytes = 4 * gradient.outputs.filter { $0.name.hasPrefix("grad/") }
            .reduce(0) { $0 + gradient.typeOf($1.value).elementCount }
        return ProfileReport(mode: .training, rows: rows, device: device, cores: split.cores,
                             perCoreBatch: split.perCoreBatch, allReduceBytes: gradientBytes)
    }
}
