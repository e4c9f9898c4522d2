import ConvnetInterface
import Foundation

/// Times a compiled program's steps on made-up inputs: what `make bench` measures for every
/// target, shared so that the CPU target (in `convnetc-bench`) and a generated native binary
/// (its `bench` command) fill the same inputs and count the same way.
public enum StepBenchmark {
    /// Fills every input deterministically: images in [0, 1), labels cycling through the
    /// classes, weights and optimizer state small (|w| < 0.025), step 1, learning rate 1e-4.
    public static func fill(_ exe: any CompiledProgram, classes: Int) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        for input in exe.interface.inputs {
            let name = input.name
            if input.element == .i32 {
                let b = exe.int32s(input: name)
                for i in b.indices { b[i] = Int32(i % max(classes, 1)) }
            } else {
                let b = exe.floats(input: name)
                let scale: Float = name == ProgramNames.images ? 1 : 0.05
                for i in b.indices { b[i] = (next() - (name == ProgramNames.images ? 0 : 0.5)) * scale }
            }
        }
        if exe.hasInput(ProgramNames.step) { exe.setScalar(ProgramNames.step, 1) }
        if exe.hasInput(ProgramNames.learningRate) { exe.setScalar(ProgramNames.learningRate, 1e-4) }
    }

    /// Images per second over `steps` runs after one warm-up run (wall clock).
    public static func imagesPerSecond(_ exe: any CompiledProgram, batch: Int, steps: Int) throws -> Double {
        try exe.run()
        let t0 = Date()
        for _ in 0..<steps { try exe.run() }
        return Double(batch * steps) / Date().timeIntervalSince(t0)
    }
}
