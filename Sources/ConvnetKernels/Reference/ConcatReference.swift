/// Joining tensors on their last axis, and taking a range of it back: rows are every axis but
/// the last, each part (rows, C_i), the result (rows, sum C_i).
public enum ConcatReference {
    /// output[r, offset_i + c] = parts[i][r, c], each part (rows, channels[i]).
    public static func forward<T: ReferenceScalar>(parts: [[T]], channels: [Int], rows: Int) -> [T] {
        let total = channels.reduce(0, +)
        var output = [T](repeating: 0, count: rows * total)
        var offset = 0
        for (part, c) in zip(parts, channels) {
            for r in 0..<rows { for k in 0..<c { output[r * total + offset + k] = part[r * c + k] } }
            offset += c
        }
        return output
    }

    /// output[r, c] = input[r, start + c] for c < count: the gradient of one concat operand.
    public static func slice<T: ReferenceScalar>(input: UnsafePointer<T>, rows: Int, channels: Int, start: Int, count: Int,
                                                 output: UnsafeMutablePointer<T>) {
        for r in 0..<rows { for c in 0..<count { output[r * count + c] = input[r * channels + start + c] } }
    }
}
