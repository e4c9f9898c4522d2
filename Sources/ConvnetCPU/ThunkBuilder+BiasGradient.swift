import ConvnetKernels
import ConvnetIR

/// A fusion whose activation-gradient epilogue has the bias gradient as its second result
/// (`FusionKind`'s `_bias_grad` kinds, every conv layer's backward pass) runs it as one pass:
/// each row of dx is computed and added into the per-channel sums while it is in registers
/// (`Epilogue.activationBiasGradient`, which the native target's generated code calls too).
extension ThunkBuilder {
    /// dx = act_grad(dy, y) and db (C) = its column sums, in one pass; dx may be dy (in place).
    func emitActivationBiasGradient(_ f: ActivationFunction, dy: UnsafeMutablePointer<Float>,
                                    y: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>,
                                    db: UnsafeMutablePointer<Float>, count: Int, channels: Int,
                                    at inst: Instruction, op: String? = nil) {
        let rows = count / max(channels, 1), activation = Self.epilogue(f)
        add(inst, op: op) {
            Epilogue.activationBiasGradient(dy, output: y, inputGradient: dx, rows: rows, channels: channels,
                                            activation: activation, biasGradient: db)
        }
    }
}
