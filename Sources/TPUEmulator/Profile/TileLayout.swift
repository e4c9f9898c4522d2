import ConvnetIR

/// How tensors are laid out in TPU memory, for the vector and HBM costs.
///
/// XLA on TPU stores arrays in (8, 128) tiles: the minor (last) dimension is padded to a
/// multiple of 128 lanes and the second-minor to a multiple of 8 sublanes (references.md §4,
/// Cloud TPU performance guide: "XLA pads other shapes. Padding wastes compute and memory").
/// The flowers model's channel counts (16, 30, 60, 90, 110) all pad to 128, so the padded
/// layout moves 1.2x to 8x the bytes of the exact one. The MXU cost never uses this: a
/// `TilePlan` already pays for partly filled folds.
public enum TileLayout: String, Hashable, Sendable {
    /// Exact element counts: the lower bound, and the default.
    case exact
    /// The last dimension rounded up to 128 and the one before it to 8 (rank 1: 128 only).
    case tiled8x128

    /// The shape as stored.
    public func stored(_ type: TensorType) -> TensorType {
        guard self == .tiled8x128, !type.shape.isEmpty else { return type }
        var shape = type.shape
        shape[shape.count - 1] = roundUp(shape[shape.count - 1], 128)
        if shape.count >= 2 { shape[shape.count - 2] = roundUp(shape[shape.count - 2], 8) }
        return TensorType(type.element, shape)
    }

    private func roundUp(_ n: Int, _ m: Int) -> Int { (n + m - 1) / m * m }
}
