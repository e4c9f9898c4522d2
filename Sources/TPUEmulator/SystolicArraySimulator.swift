import ConvnetOptimizer

/// A weight-stationary systolic array simulated one clock cycle at a time: the ground truth that
/// the fast `MXU.matmul` and the analytic `TilePlan` cycle count are tested against.
///
/// It is written to be read, not to be fast; use it on small products (tens of rows and columns
/// on an 8x8 or 16x16 array).
///
/// The schedule, per fold, is SCALE-Sim v2's (references.md §5):
/// 1. **Weight load, R cycles.** The fold's R x C block of B enters at the top, one row per
///    cycle, last row first, and shifts down; after R cycles PE(r, c) holds B[k0 + r, n0 + c].
/// 2. **Streaming, T + R + C - 2 cycles** (T = M). Element A[t, k0 + r] enters row r at the left
///    edge at cycle t + r (the input skew) and moves one PE right per cycle. The running sum for
///    output (t, n0 + c) enters column c at the top at cycle t + c and moves one PE down per
///    cycle, so it meets A[t, k0 + r] at PE(r, c) at cycle t + r + c. Each PE does
///    `sum = sum + a * w`: one float32 multiply of two bfloat16 values (exact: 8-bit times
///    8-bit significands fit in float32's 24 bits) and one float32 add. The sum leaves the
///    bottom of column c at cycle t + R - 1 + c and is written to the accumulators.
///
/// **Summation order.** The sum entering the top of a column in fold (fr, fc) is the accumulator
/// left by fold (fr - 1, fc) (zero for fr = 0), folds run with fr innermost, and within a fold
/// the sum passes rows r = 0..R-1 in order. So every output is the single float32 chain
/// `((0 + a0*w0) + a1*w1) + ... + a(K-1)*w(K-1)` in k order, independent of R: the order the
/// fast kernel reproduces. PEs with no weight (K or N not a multiple of the array) pass the
/// sum through untouched, so padding never adds a +0 that would turn a -0 sum into +0.
public struct SystolicArraySimulator: Sendable {
    /// The simulated array.
    public let array: MXUShape

    /// A simulator for an R x C array.
    public init(array: MXUShape) { self.array = array }

    /// What a simulated matmul produced.
    public struct Result: Sendable {
        /// The product, (M, N) row-major.
        public var output: [Float]
        /// The 0-based stamp of the schedule's last cycle, which is how SCALE-Sim reports cycles
        /// (its total is the service cycle of its last demand row). Equal to `TilePlan.cycles`.
        public var cycles: Int
        /// Clock ticks from the first weight load to the end of the last fold: `cycles + 1`.
        public var elapsedCycles: Int
        /// Multiply-accumulates actually performed by PEs: M*K*N when the schedule is right.
        public var macs: Int
    }

    /// A value of A travelling right along a row, tagged with the row of A it came from.
    struct Operand { var row: Int; var value: Float }
    /// A partial sum travelling down a column, tagged with the output row it belongs to.
    struct PartialSum { var row: Int; var value: Float }

    /// Runs `A(M,K) * B(K,N)` (row-major float32, rounded to bfloat16 on entry) cycle by cycle.
    public func run(a: [Float], b: [Float], m: Int, k: Int, n: Int) -> Result {
        precondition(a.count == m * k && b.count == k * n, "operand sizes do not match \(m)x\(k)x\(n)")
        let rows = array.rows, cols = array.cols
        let aq = BFloat16.rounded(a)                                    // (M, K)
        let bq = BFloat16.rounded(b)                                    // (K, N)
        var accumulators = [Float](repeating: 0, count: m * n)          // (M, N)
        var clock = 0
        var macs = 0

        // PE state, indexed [r][c].
        var weights = [[Float?]](repeating: [Float?](repeating: nil, count: cols), count: rows)
        let rowFolds = (k + rows - 1) / rows, colFolds = (n + cols - 1) / cols

        for fc in 0..<colFolds {
            for fr in 0..<rowFolds {
                let k0 = fr * rows, n0 = fc * cols

                // 1. Weight load: row R-1 of the block first, so it has reached the bottom when
                //    row 0 enters.
                for step in 0..<rows {
                    for r in stride(from: rows - 1, to: 0, by: -1) { weights[r] = weights[r - 1] }
                    let blockRow = rows - 1 - step
                    weights[0] = (0..<cols).map { c in
                        let kk = k0 + blockRow, nn = n0 + c
                        return kk < k && nn < n ? bq[kk * n + nn] : nil
                    }
                    clock += 1
                }

                // 2. Streaming. Registers hold what each PE received on the previous cycle.
                var operands = [[Operand?]](repeating: [Operand?](repeating: nil, count: cols), count: rows)
                var sums = [[PartialSum?]](repeating: [PartialSum?](repeating: nil, count: cols), count: rows)
                for tau in 0..<(m + rows + cols - 2) {
                    var nextOperands = operands
                    var nextSums = sums
                    for r in 0..<rows {
                        for c in 0..<cols {
                            let operandIn: Operand?
                            if c == 0 {                                 // skewed injection
                                let t = tau - r
                                operandIn = t >= 0 && t < m && k0 + r < k
                                    ? Operand(row: t, value: aq[t * k + k0 + r]) : nil
                            } else {
                                operandIn = operands[r][c - 1]
                            }
                            let sumIn: PartialSum?
                            if r == 0 {                                 // accumulator feeds the top
                                let t = tau - c
                                sumIn = t >= 0 && t < m && n0 + c < n
                                    ? PartialSum(row: t, value: accumulators[t * n + n0 + c]) : nil
                            } else {
                                sumIn = sums[r - 1][c]
                            }
                            nextOperands[r][c] = operandIn
                            nextSums[r][c] = multiplyAccumulate(sumIn, operandIn, weights[r][c], macs: &macs)
                        }
                    }
                    operands = nextOperands
                    sums = nextSums
                    for c in 0..<cols {                                 // drain the bottom row
                        if let out = sums[rows - 1][c] {
                            accumulators[out.row * n + n0 + c] = out.value
                        }
                    }
                    clock += 1
                }
            }
        }
        return Result(output: accumulators, cycles: clock - 1, elapsedCycles: clock, macs: macs)
    }

    /// One PE for one cycle: `sum + a * w` when it holds a weight, the sum unchanged otherwise.
    private func multiplyAccumulate(_ sum: PartialSum?, _ operand: Operand?, _ weight: Float?,
                                    macs: inout Int) -> PartialSum? {
        guard let sum else { return nil }
        guard let weight else { return sum }                            // unused PE: pass through
        guard let operand else { preconditionFailure("a partial sum met a PE with no operand") }
        precondition(operand.row == sum.row, "skew broken: operand row \(operand.row), sum row \(sum.row)")
        macs += 1
        let product = operand.value * weight                            // exact for bf16 operands
        return PartialSum(row: sum.row, value: sum.value + product)
    }
}
