// TilePlan: how one matrix product is cut into passes over a systolic array, and what that costs.
//
// The cost model is SCALE-Sim v2's (references.md §5). A plan is a plain value so that the
// optimizer can attach it to a matmul, the IR printer can print it, tests can compare it, and the
// TPU emulator can replay it.

/// The shape of a systolic array of multiply-accumulate cells (R rows x C columns).
///
/// The default, 128 x 128, is the MXU of a TPU v2 core (references.md §4, Google's Cloud TPU
/// system architecture page).
public struct MXUShape: Hashable, Sendable, CustomStringConvertible {
    /// Number of PE rows, R. In the weight-stationary dataflow the reduction (K) maps onto rows.
    public var rows: Int
    /// Number of PE columns, C. In the weight-stationary dataflow the outputs (N) map onto columns.
    public var cols: Int

    /// An R x C array; both sides must be at least 1.
    public init(rows: Int = 128, cols: Int = 128) {
        precondition(rows > 0 && cols > 0, "an MXU needs at least one row and one column")
        self.rows = rows
        self.cols = cols
    }

    /// The TPU v2 MXU: 128 x 128.
    public static let tpuV2 = MXUShape(rows: 128, cols: 128)

    /// Number of processing elements, R*C.
    public var cells: Int { rows * cols }

    public var description: String { "\(rows)x\(cols)" }
}

/// Which operand stays in the array while the other streams through.
public enum Dataflow: String, Hashable, Sendable {
    /// Weights (the K x N operand) sit in the PEs; rows of A stream through; partial sums move
    /// down the columns. This is how the TPU MXU works and what the emulator executes.
    case weightStationary = "ws"
    /// Each PE owns one output (an M x N tile); both operands stream through for K cycles.
    /// Only used to compare costs (references.md §5).
    case outputStationary = "os"
}

/// How a matmul `C(M,N) = A(M,K) * B(K,N)` is folded onto a systolic array, with its cycle cost.
///
/// For the weight-stationary dataflow (SCALE-Sim v2 names in brackets): the reduction K [S_R] maps
/// onto the array's rows, the outputs N [S_C] onto its columns, and the M rows of A [T] stream
/// through. The array holds one R x C block of B at a time (a *fold*); there are
/// `ceil(K/R) * ceil(N/C)` folds, each costing `2R + C + T - 2` cycles: R to shift the weights in,
/// then T rows streamed with an R-cycle skew on the way in and a C-cycle skew on the way out.
/// SCALE-Sim reports the 0-based stamp of the last cycle, hence the final `- 1`.
///
/// For the output-stationary dataflow: M [S_R] maps onto rows, N [S_C] onto columns and K [T]
/// streams; each fold costs `R + C + T - 2` cycles.
public struct TilePlan: Hashable, Sendable, CustomStringConvertible {
    /// Rows of A and of the result (batch * output pixels for a convolution).
    public var m: Int
    /// The reduction: columns of A, rows of B (KH*KW*Cin for a convolution).
    public var k: Int
    /// Columns of B and of the result (filters for a convolution).
    public var n: Int
    /// The systolic array the plan targets.
    public var array: MXUShape
    /// Which operand is held in the array.
    public var dataflow: Dataflow
    /// Folds along the array's rows: `ceil(K / R)` (weight stationary) or `ceil(M / R)` (output
    /// stationary).
    public var rowFolds: Int
    /// Folds along the array's columns: `ceil(N / C)`.
    public var colFolds: Int
    /// `rowFolds * colFolds`: how many times the array is (re)loaded.
    public var folds: Int
    /// K rounded up to whole row folds (weight stationary); K itself when K streams (output
    /// stationary), since a streamed dimension is never padded.
    public var paddedK: Int
    /// N rounded up to whole column folds.
    public var paddedN: Int
    /// M rounded up to whole row folds (output stationary); M itself when M streams (weight
    /// stationary).
    public var paddedM: Int
    /// Cycles on the array, SCALE-Sim's convention (see the type's doc comment).
    public var cycles: Int
    /// Mean over folds of (used rows * used cols) / (R*C), SCALE-Sim's "mapping efficiency".
    public var mappingEfficiency: Double
    /// Useful MACs over MAC slots: `M*K*N / (R*C*cycles)`, SCALE-Sim's "overall utilisation".
    public var utilization: Double

    /// Multiply-accumulate operations the matmul needs: M*K*N.
    public var macs: Int { m * k * n }

    /// The weight-stationary plan of an (M,K) x (K,N) product on `array` (SCALE-Sim WS).
    public static func weightStationary(m: Int, k: Int, n: Int,
                                        array: MXUShape = .tpuV2) -> TilePlan {
        precondition(m > 0 && k > 0 && n > 0, "a matmul needs positive dimensions, got \(m)x\(k)x\(n)")
        let r = array.rows, c = array.cols
        let rowFolds = ceilDiv(k, r), colFolds = ceilDiv(n, c)
        let folds = rowFolds * colFolds
        let cycles = folds * (2 * r + c + m - 2) - 1
        return TilePlan(m: m, k: k, n: n, array: array, dataflow: .weightStationary,
                        rowFolds: rowFolds, colFolds: colFolds, folds: folds,
                        paddedK: rowFolds * r, paddedN: colFolds * c, paddedM: m, cycles: cycles,
                        mappingEfficiency: Double(k * n) / Double(folds * r * c),
                        utilization: Double(m * k * n) / (Double(r * c) * Double(cycles)))
    }

    /// The output-stationary plan of the same product (SCALE-Sim OS), for comparison only.
    public static func outputStationary(m: Int, k: Int, n: Int,
                                        array: MXUShape = .tpuV2) -> TilePlan {
        precondition(m > 0 && k > 0 && n > 0, "a matmul needs positive dimensions, got \(m)x\(k)x\(n)")
        let r = array.rows, c = array.cols
        let rowFolds = ceilDiv(m, r), colFolds = ceilDiv(n, c)
        let folds = rowFolds * colFolds
        let cycles = folds * (r + c + k - 2) - 1
        return TilePlan(m: m, k: k, n: n, array: array, dataflow: .outputStationary,
                        rowFolds: rowFolds, colFolds: colFolds, folds: folds,
                        paddedK: k, paddedN: colFolds * c, paddedM: rowFolds * r, cycles: cycles,
                        mappingEfficiency: Double(m * n) / Double(folds * r * c),
                        utilization: Double(m * k * n) / (Double(r * c) * Double(cycles)))
    }

    /// One line for IR dumps, e.g.
    /// `ws tile=128x128 folds=2x1 pad=K:144->256 cycles=74241 util=42.1%`.
    public var description: String {
        var pads: [String] = []
        if paddedM != m { pads.append("M:\(m)->\(paddedM)") }
        if paddedK != k { pads.append("K:\(k)->\(paddedK)") }
        if paddedN != n { pads.append("N:\(n)->\(paddedN)") }
        let pad = pads.isEmpty ? "none" : pads.joined(separator: ",")
        return "\(dataflow.rawValue) tile=\(array) folds=\(rowFolds)x\(colFolds) pad=\(pad) "
            + "cycles=\(cycles) map=\(percent(mappingEfficiency)) util=\(percent(utilization))"
    }
}

/// `ceil(a / b)` for positive integers.
@inline(__always)
private func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

/// A fraction as a percentage with one decimal, without Foundation.
private func percent(_ x: Double) -> String {
    let tenths = Int((x * 1000).rounded())
    return "\(tenths / 10).\(tenths % 10)%"
}
