extension Parallel {
    /// Sum of `count` floats in Float64 over `reduceRows`' fixed chunking (deterministic), then
    /// rounded: the IR's `reduce_sum`, for the CPU executor and the native target's generated
    /// code alike, so both round the same total.
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 1) { t in
            reduceRows(count, columns: 1, into: t.baseAddress!) { range, partial in
                var s = 0.0
                for i in range { s += Double(x[i]) }
                partial[0] += s
            }
            return Float(t[0])
        }
    }
}
