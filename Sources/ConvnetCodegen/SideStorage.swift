import ConvnetIR

/// Storage one emitted kernel leaves for a later one, outside the buffer plan: max-pool winner
/// codes (a byte per pooled element, written by the forward pool, read by its backward pass
/// instead of the pool's input) and the Float64 per-channel sums a fused backward kernel makes
/// before they are rounded into the fusion's bias-gradient result. Offsets into `NativeArena`'s side block; the CPU executor keeps
/// the same things in its `ThunkBuilder`.
final class SideStorage {
    /// Whether forward pools record winners (the program has a max-pool backward pass).
    let recordsWinners: Bool
    private(set) var bytes = 0
    /// Winner codes by the emitted name of the pool's input and its geometry.
    private var winners: [String: (geometry: String, offset: Int)] = [:]
    /// Offsets of Float64 sums by the value whose bias gradient they are.
    private(set) var biasSums: [ValueID: (offset: Int, channels: Int)] = [:]

    init(recordsWinners: Bool) { self.recordsWinners = recordsWinners }

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
