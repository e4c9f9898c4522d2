import ConvnetIR

/// Storage one emitted kernel leaves for a later one, outside the buffer plan: max-pool winner
/// codes (a byte per pooled element, written by the forward pool, read by its backward pass
/// instead of the pool's input), the Float64 per-channel sums a fused backward kernel makes
/// before they are rounded into the fusion's bias-gradient result, and a batch norm's shared
/// batch moments and backward sums (`BatchNormRecord`). Offsets into `NativeArena`'s side
/// block; the CPU executor keeps the same things in its `ThunkBuilder`.
final class SideStorage {
    /// Whether forward pools record winners (the program has a max-pool backward pass).
    let recordsWinners: Bool
    private(set) var bytes = 0
    /// Winner codes by the emitted name of the pool's input and its geometry.
    private var winners: [String: (geometry: String, offset: Int)] = [:]
    /// Offsets of Float64 sums by the value whose bias gradient they are.
    private(set) var biasSums: [ValueID: (offset: Int, channels: Int)] = [:]

    /// Batch moments (and the Float mean and 1/std made from them) by the emitted name of the
    /// value they describe.
    private var moments: [String: BatchNormRecord] = [:]
    /// A batch norm's backward sums (sum dy, sum dy * xhat) by the names of dy and x.
    private var gradientSums: [GradientSumsKey: Int] = [:]

    init(recordsWinners: Bool) { self.recordsWinners = recordsWinners }

    /// Where the batch moments of `x` (`channels` per row) live, and whether the asking op is
    /// the first reader of x, which computes them; later readers read them. Keyed by name: an
    /// emitted value is written once and not changed while it is read (the buffer plan keeps
    /// it alive through its last reader), so the moments stay true, as the CPU executor's
    /// record keyed by address is while nothing writes there. Ops are emitted in the order
    /// they run, so the first asker runs first.
    func moments(of x: String, channels: Int) -> (record: BatchNormRecord, compute: Bool) {
        if let r = moments[x] { return (r, false) }
        let r = BatchNormRecord(channels: channels, moments: reserve(16 * channels), mean: reserve(4 * channels),
                                invStd: reserve(4 * channels))
        moments[x] = r
        return (r, true)
    }

    /// Where the backward sums of a batch norm over (dy, x) live (2C doubles), and whether the
    /// asking op computes them (the first of its input gradient, gamma gradient and beta's
    /// bias gradient).
    func gradientSums(dy: String, x: String, channels: Int) -> (offset: Int, compute: Bool) {
        let key = GradientSumsKey(dy: dy, x: x, channels: channels)
        if let offset = gradientSums[key] { return (offset, false) }
        let offset = reserve(16 * channels)
        gradientSums[key] = offset
        return (offset, true)
    }

    /// The recorded backward sums whose dy is `dy`, if a batch-norm backward op made them: a
    /// batch norm beta's `bias_grad(dy)` is their first half.
    func recordedGradientSums(of dy: String, channels: Int) -> Int? {
        gradientSums.first { $0.key.dy == dy && $0.key.channels == channels }?.value
    }

    /// Reserves `count` winner bytes for a forward pool over `input`; their offset.
    func recordWinners(input: String, geometry: String, count: Int) -> Int {
        let offset = reserve(count)
        winners[input] = (geometry, offset)
        return offset
    }

    /// The offset of the winners recorded for a pool over `input` with `geometry`, if any.
    func winners(input: String, geometry: String) -> Int? {
        guard let w = winners[input], w.geometry == geometry else { return nil }
        return w.offset
    }

    /// Reserves `channels` doubles for the bias gradient of `value`; their offset.
    func reserveBiasSums(for value: ValueID, channels: Int) -> Int {
        let offset = reserve(channels * 8)
        biasSums[value] = (offset, channels)
        return offset
    }

    private func reserve(_ count: Int) -> Int {
        let offset = (bytes + 63) / 64 * 64
        bytes = offset + count
        return offset
    }
}

/// One batch norm's statistics in the side block: the Float64 moments of x (mean (C), then
/// biased variance (C), `BatchStatistics.moments`) and the Float mean and 1/sqrt(var + eps)
/// (C each) that `BatchNorm.statistics` rounds from them.
struct BatchNormRecord {
    let channels: Int
    /// Byte offsets into the side block.
    let moments: Int, mean: Int, invStd: Int

    /// `moments: arena.doubles(..), mean: arena.floats(..), invStd: arena.floats(..)`.
    var arguments: String {
        "moments: arena.doubles(\(moments)), mean: arena.floats(\(mean)), invStd: arena.floats(\(invStd))"
    }
}

/// Where a batch norm's backward sums are recorded: the emitted names of dy and x.
private struct GradientSumsKey: Hashable {
    let dy: String
    let x: String
    let channels: Int
}
