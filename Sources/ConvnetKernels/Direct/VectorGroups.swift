/// How `count` vectors of 16 floats are cut into groups a micro-kernel handles at once (1-4):
/// up to 4 in one group, more split into near-equal groups (6 -> 3+3, 7 -> 4+3, 9 -> 3+3+3),
/// so every group keeps enough pixels in registers to hide load latency.
enum VectorGroups {
    static func split(_ count: Int) -> [(first: Int, count: Int)] {
        if count <= 4 { return [(0, count)] }
        let groups = (count + 3) / 4
        var result: [(first: Int, count: Int)] = []
        var first = 0
        for g in 0..<groups {
            let size = count / groups + (g < count % groups ? 1 : 0)
            result.append((first, size))
            first += size
        }
        return result
    }

    /// Cuts `count` rows into runs of generated kernel sizes for `vectors`, largest first.
    static func rowRuns(_ count: Int, vectors: Int) -> [Int] {
        var left = count, runs: [Int] = []
        let sizes = MicroKernels.rows(vectors: vectors)
        while left > 0 {
            let r = sizes.first { $0 <= left }!
            runs.append(r)
            left -= r
        }
        return runs
    }
}
