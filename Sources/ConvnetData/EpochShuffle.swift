/// The training order of one epoch: a Fisher-Yates permutation of `0..<count` drawn from
/// xoshiro256** seeded by `(seed, epoch)` only. Being a pure function of those two numbers, a
/// resumed run sees exactly the batches the interrupted run would have seen.
public enum EpochShuffle {
    /// Stream tag so shuffle seeds never coincide with augmentation or synthetic-data seeds.
    static let tag: UInt64 = 0x5348_5546  // "SHUF"

    public static func order(count: Int, seed: UInt64, epoch: Int) -> [Int] {
        var order = Array(0..<count)
        var rng = Xoshiro256StarStar(seed: SplitMix64.derive(seed, tag, UInt64(bitPattern: Int64(epoch))))
        var i = count - 1
        while i > 0 {
            let j = rng.below(i + 1)
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }
}
