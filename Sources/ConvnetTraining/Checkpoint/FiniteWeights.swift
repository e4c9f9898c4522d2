/// The rule that weights containing a NaN or an infinity are never used: such a tensor makes
/// every prediction `nan%`, every loss NaN, and a resumed run diverge at once. Every path that
/// loads weights (a checkpoint for `--resume`, `predict`, `evaluate`; an imported weights file)
/// calls `FiniteWeights.check` before trusting them, and the error names the tensor.
public enum FiniteWeights {
    /// The first non-finite value among `tensors`, in name order: the tensor, the flat index and
    /// the value.
    public static func firstNonFinite(_ tensors: [String: [Float]]) -> (tensor: String, index: Int, value: Float)? {
        for name in tensors.keys.sorted() {
            if let i = tensors[name]!.firstIndex(where: { !$0.isFinite }) { return (name, i, tensors[name]![i]) }
        }
        return nil
    }

    /// Throws a `CheckpointError` for `file` naming the first tensor holding a NaN or an infinity.
    public static func check(_ tensors: [String: [Float]], file: String) throws(CheckpointError) {
        guard let bad = firstNonFinite(tensors) else { return }
        throw CheckpointError(file: file, message: message(bad))
    }

    /// What the user is told about `bad`: the tensor, the value and where, and what to do.
    public static func message(_ bad: (tensor: String, index: Int, value: Float)) -> String {
        let what = bad.value.isNaN ? "NaN" : (bad.value > 0 ? "+infinity" : "-infinity")
        return "tensor '\(bad.tensor)' holds \(what) (at index \(bad.index)); "
            + "weights must be finite numbers. A run that diverged writes no checkpoint, so this file was damaged or "
            + "written by another tool; use an earlier checkpoint"
    }
}

extension Checkpoint {
    /// `FiniteWeights.check` over every parameter and optimizer slot.
    public func requireFiniteValues(file: String) throws(CheckpointError) {
        var all = parameters.mapValues(\.values)
        for (name, t) in optimizerSlots { all[name] = t.values }
        try FiniteWeights.check(all, file: file)
    }
}
