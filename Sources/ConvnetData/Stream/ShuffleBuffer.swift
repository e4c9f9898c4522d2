/// tf.data's `shuffle(buffer_size)`: keeps up to `capacity` items; each output is a uniformly
/// drawn item of the buffer, whose place the next input item takes. The draws come from
/// xoshiro256** seeded by the caller (from the run's seed and the epoch), so the order is a pure
/// function of the seed, the epoch and the input order. Memory: `capacity` encoded images.
final class ShuffleBuffer: ItemSource {
    private let input: ItemSource
    private let capacity: Int
    private var rng: Xoshiro256StarStar
    private var items: [StreamItem] = []
    private var inputDone = false

    init(input: ItemSource, capacity: Int, seed: UInt64) {
        self.input = input
        self.capacity = max(1, capacity)
        rng = Xoshiro256StarStar(seed: seed)
    }

    func next() throws(DataError) -> StreamItem? {
        while !inputDone, items.count < capacity {
            if let item = try input.next() { items.append(item) } else { inputDone = true }
        }
        guard !items.isEmpty else { return nil }
        let j = rng.below(items.count)
        let out = items[j]
        if !inputDone, let replacement = try input.next() {
            items[j] = replacement
        } else {
            inputDone = true
            items[j] = items[items.count - 1]
            items.removeLast()
        }
        return out
    }
}
