/// Which optimizer a checkpoint's slot tensors belong to, and the slots it keeps per parameter.
public enum OptimizerKind: String, CaseIterable, Sendable {
    /// Adam: first moment `m` and second moment `v` per parameter (Keras names them the same).
    case adam
    /// SGD with momentum: one `velocity` per parameter.
    case sgd

    /// Slot names, in the order they appear in tensor names (`optimizer/<slot>/<parameter>`).
    public var slotNames: [String] {
        switch self {
        case .adam: return ["m", "v"]
        case .sgd: return ["velocity"]
        }
    }
}
