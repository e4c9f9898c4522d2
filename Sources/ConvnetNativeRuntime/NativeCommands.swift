import ConvnetIR
import ConvnetTraining
import Foundation

/// `predict` and `evaluate` in a generated binary: the first argument names the command, the
/// rest are its flags, and the library's own `Predictor` / `Evaluator` run the emitted inference
/// program, so reports are those of the other targets.
enum NativeCommands {
    /// `predict --weights W [--format json] [--data DIR] IMAGE...`
    static func predict(_ compiler: NativeProgramCompiler, _ args: [String]) throws -> String {
        var weights: String?, json = false, data: String?, images: [String] = []
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--weights": i += 1; weights = i < args.count ? args[i] : nil
            case "--format": i += 1; json = i < args.count && args[i] == "json"
            case "--data": i += 1; data = i < args.count ? args[i] : nil
            default: images.append(args[i])
            }
            i += 1
        }
        guard let weights else { throw EmitError("predict needs --weights") }
        let report = try Predictor.predict(weights: URL(fileURLWithPath: weights), model: try compiler.model.checked(),
                                           images: images, compiler: compiler, batch: compiler.model.batch,
                                           dataFolder: data)
        return json ? report.renderJSON() : report.renderText()
    }

    /// `evaluate --weights W [--format json] TRAINING-FLAGS...`
    static func evaluate(_ compiler: NativeProgramCompiler, _ args: [String]) throws -> String {
        var weights: String?, json = false, rest: [String] = []
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--weights": i += 1; weights = i < args.count ? args[i] : nil
            case "--format": i += 1; json = i < args.count && args[i] == "json"
            default: rest.append(args[i])
            }
            i += 1
        }
        guard let weights else { throw EmitError("evaluate needs --weights") }
        let report = try Evaluator.evaluate(weights: URL(fileURLWithPath: weights), model: try compiler.model.checked(),
                                            options: try TrainingArguments.decode(rest), compiler: compiler)
        return json ? report.renderJSON() : report.renderText()
    }

    /// `bench [--steps N]`: the emitted training step's images/s on made-up inputs
    /// (`StepBenchmark`, as `make bench` times the CPU target), one JSON line:
    /// `{"train_images_per_second": R, "batch": B, "steps": N}`.
    static func bench(_ compiler: NativeProgramCompiler, _ args: [String]) throws -> String {
        var steps = 5
        if let i = args.firstIndex(of: "--steps") {
            guard i + 1 < args.count, let n = Int(args[i + 1]), n > 0 else { throw EmitError("bench: --steps needs a positive count") }
            steps = n
        }
        let model = try compiler.model.checked()
        let program = try IRBuilder.trainingStep(model, batch: compiler.model.batch, optimizer: model.train.optimizer)
        let exe = try compiler.compile(program)
        StepBenchmark.fill(exe, classes: model.classCount)
        let rate = try StepBenchmark.imagesPerSecond(exe, batch: compiler.model.batch, steps: steps)
        return "{\"train_images_per_second\": \(rate), \"batch\": \(compiler.model.batch), \"steps\": \(steps)}\n"
    }
}
