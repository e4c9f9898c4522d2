extension TrainingState {
    /// `--init-from`: every weight taken from `weights` (already checked against the model);
    /// the optimizer slots stay as they are in a fresh state (zero), and so do step and epoch
    /// (0: the run starts at epoch 1, whatever a checkpoint's bookkeeping says).
    mutating func start(from weights: ImportedWeights) {
        for (name, tensor) in weights.parameters { tensors[name] = tensor.values }
    }
}
