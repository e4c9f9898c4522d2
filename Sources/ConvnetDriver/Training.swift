import ConvnetCodegen
import ConvnetIR
import ConvnetSema
import ConvnetTraining
import TPUEmulator
import Foundation

/// `convnetc FILE --run`: trains a checked model on a target, with Ctrl-C saving cleanly.
public enum TrainingRun {
    /// Trains and returns the process exit status (0 done, 130 interrupted).
    public static func run(_ model: CheckedModel, options: TrainingOptions, target: Target,
                           device: TPUDevice = .tpuV2) throws -> Int32 {
        if target == .native {
            return try NativeTarget.run(model: model, options: options, log: { Console.writeError($0 + "\n") })
        }
        let interrupt = InterruptFlag()
        interrupt.install()
        defer { interrupt.uninstall() }
        let trainer = try Trainer(model: ModelDescription(model), options: options, interrupt: interrupt)
        return try trainer.run(compiler: target.compiler(model: model, device: device).compiling(model)).exitStatus
    }
}

/// `predict` and `evaluate` on the native target: the generated binary does the work and prints.
public enum NativeCommands {
    public static func predict(_ model: CheckedModel, weights: String, images: [String], json: Bool,
                               data: String?) throws -> Int32 {
        try NativeTarget.predict(model: model, weights: weights, images: images, json: json, data: data,
                                 log: { Console.writeError($0 + "\n") })
    }

    public static func evaluate(_ model: CheckedModel, weights: String, options: TrainingOptions,
                                json: Bool) throws -> Int32 {
        try NativeTarget.evaluate(model: model, weights: weights, options: options, json: json,
                                  log: { Console.writeError($0 + "\n") })
    }

    /// `--emit-swift DIR`: writes the generated package and returns the files written.
    public static func emit(_ model: CheckedModel, to dir: String, options: TrainingOptions) throws -> [String] {
        try NativeTarget.emit(model: model, to: URL(fileURLWithPath: dir), options: options).map(\.path)
    }
}
