/// The records of several shards, interleaved as tf.data's `interleave(cycle_length: k,
/// block_length: 1)`: the first k shards are open at once and give one record each in turn; a
/// shard that ends is replaced, in its place in the cycle, by the next unopened one. Only k files
/// are open and one record of each is read ahead, so memory does not depend on the shards' size.
final class InterleavedShards: ItemSource {
    private let paths: [String]
    private let schema: ExampleSchema
    private var open: [ShardRecords?]
    private var nextShard = 0
    private var position = 0

    /// `paths` in the order to open them (an epoch's shuffled order, or sorted for evaluation).
    init(paths: [String], cycleLength: Int, schema: ExampleSchema) {
        self.paths = paths
        self.schema = schema
        open = Array(repeating: nil, count: max(1, min(cycleLength, paths.count)))
    }

    func next() throws(DataError) -> StreamItem? {
        var exhausted = 0
        while exhausted < open.count {
            let slot = position
            if open[slot] == nil, nextShard < paths.count {
                open[slot] = try ShardRecords(path: paths[nextShard], schema: schema)
                nextShard += 1
            }
            guard let shard = open[slot] else {
                exhausted += 1
                position = (position + 1) % open.count
                continue
            }
            if let item = try shard.next() {
                position = (position + 1) % open.count
                return StreamItem(place: item.place, bytes: item.image, label: item.label, name: item.name)
            }
            open[slot] = nil  // ended: the next shard takes this slot, tried right away
            if nextShard >= paths.count {
                exhausted += 1
                position = (position + 1) % open.count
            }
        }
        return nil
    }
}
