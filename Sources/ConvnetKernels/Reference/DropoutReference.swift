/// Twin of `Dropout`: the same counter-based stream, one element at a time, on one core.
public enum DropoutReference {
    public static func apply<T: ReferenceScalar>(input: UnsafePointer<T>, output: UnsafeMutablePointer<T>,
                                                 count: Int, rate: Float, seed: UInt64) {
        for i in 0..<count {
            let keep = Dropout.uniform(seed: seed, index: i) >= rate
            output[i] = keep ? input[i] / (1 - T(rate)) : 0
        }
    }
}
