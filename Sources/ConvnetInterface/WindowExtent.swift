/// The output size of a sliding window (convolution or pooling) along one axis, and the padding
/// `same` adds: Keras' and TensorFlow's rule, written once. The semantic pass infers shapes with
/// it, the IR's attributes and the kernels' geometries size their loops with it, so a shape the
/// summary prints is the shape every backend computes.
public enum WindowExtent {
    /// `same`: ceil(n / s); `valid`: floor((n - k) / s) + 1, or 0 when the window does not fit.
    @inlinable
    public static func output(_ n: Int, window k: Int, stride s: Int, same: Bool) -> Int {
        same ? (n + s - 1) / s : (n >= k ? (n - k) / s + 1 : 0)
    }

    /// The zeros `same` adds before and after: the total `max((out - 1) * s + k - n, 0)` split
    /// with the extra one after, as TensorFlow does.
    @inlinable
    public static func samePadding(_ n: Int, window k: Int, stride s: Int) -> (before: Int, after: Int) {
        let total = max((output(n, window: k, stride: s, same: true) - 1) * s + k - n, 0)
        return (total / 2, total - total / 2)
    }
}
