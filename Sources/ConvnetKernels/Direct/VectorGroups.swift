/// How `count` vectors of 16 floats are cut into groups a micro-kernel handles at once (1-4):
/// up to `largest` in one group, more split into near-equal groups (6 -> 3+3, 7 -> 4+3,
/// 9 -> 3+3+3), so every group keeps enough pixels in registers to hide load latency.
enum VectorGroups {
    static func split(_ count: Int, largest: Int = 4) -> [(first: Int, count: Int)] {
        if count <= largest { return [(0, count)] }
        let groups = (count + largest - 1) / largest
        var result: [(first: Int, count: Int)] = []
        var first = 0
        for g in 0..<groups {
            let size = count / groups + (g < count % groups ? 1 : 0)
            result.append((first, size))
            first += size
        }
        return result
    }

    /// Cuts `count` rows into as few runs as the largest kernel for `vectors` (or `largest`) allows, of
    /// near-equal sizes (every size from 1 to the largest is generated): 9 channels of a
    /// first layer make one run of 9, not 8 + 1; 190 pixels make 14 runs of 12 and 2 of 11.
    static func rowRuns(_ count: Int, vectors: Int, largest: Int? = nil) -> [Int] {
        if count <= 0 { return [] }
        let largest = largest ?? MicroKernels.maxRows(vectors: vectors)
        let runs = (count + largest - 1) / largest
        return (0..<runs).map { count / runs + ($0 < count % runs ? 1 : 0) }
    }
}
