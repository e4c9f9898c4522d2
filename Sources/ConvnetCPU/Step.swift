import ConvnetIR

/// One unit of work of a compiled program: a closure bound at compile time to raw pointers
/// into the arena, so running it looks nothing up and allocates nothing. `op` and `layer`
/// name it in profiles.
struct Step {
    let run: () -> Void
    /// The IR mnemonic (`conv2d`, `fusion.conv_bias_relu`).
    let op: String
    /// The model layer of the instruction, or "" when it has none.
    let layer: String
    /// The convolution algorithm the step runs (from the IR's plan), for convolution steps.
    var kernel: ConvAlgorithm? = nil
}
