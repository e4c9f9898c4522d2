@testable import TPUEmulator

/// The summation order the MXU promises, written as plainly as possible: for each output, one
/// float32 accumulator starting at +0, k from 0 to K-1, a separate multiply and add.
func sequentialMatmul(a: [Float], b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    let aq = a.map(BFloat16.round), bq = b.map(BFloat16.round)
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var acc: Float = 0
            for kk in 0..<k {
                let product = aq[i * k + kk] * bq[kk * n + j]
                acc = acc + product
            }
            c[i * n + j] = acc
        }
    }
    return c
}

/// Indices where two float arrays differ in their bits.
func bitMismatches(_ x: [Float], _ y: [Float]) -> [Int] {
    precondition(x.count == y.count)
    return x.indices.filter { x[$0].bitPattern != y[$0].bitPattern }
}
