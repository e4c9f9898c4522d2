import ConvnetInterface

/// Twin of `Dropout`: `DropoutMask` asked one element at a time, on one core; what the IR
/// interpreter runs for `dropout` and `dropoutGrad` (the same function of dy).
public enum DropoutReference {
    /// output = input / (1 - rate) where `DropoutMask.keeps` element i, else 0.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public static func apply<T: ReferenceScalar>(input: UnsafePointer<T>, output: UnsafeMutablePointer<T>,
                                                 count: Int, rate: Double, seed: Int, salt: Int) {
        let scale = T(1 / (1 - rate))
        for i in 0..<count {
            output[i] = DropoutMask.keeps(seed: seed, salt: salt, index: i, rate: rate) ? input[i] * scale : 0
        }
    }
}
