import ConvnetSema
import ConvnetTraining
import Foundation

/// `convnetc FILE --run`: trains a checked model on a target, with Ctrl-C saving cleanly.
public enum TrainingRun {
    /// Trains and returns the process exit status (0 done, 130 interrupted).
    public static func run(_ model: CheckedModel, options: TrainingOptions, target: Target, cores: Int = 8) throws -> Int32 {
        let interrupt = InterruptFlag()
        interrupt.install()
        defer { interrupt.uninstall() }
        let trainer = try Trainer(model: model, options: options, interrupt: interrupt)
        return try trainer.run(compiler: target.compiler(model: model, cores: cores)).exitStatus
    }
}
