import ConvnetIR
import ConvnetKernels
import ConvnetSema
import ConvnetSyntax
import ConvnetTraining
import Foundation

/// What a generated program knows about its model: the `.convnet` text it was emitted from
/// (checked again at start with the same front end, so the trainer sees the same model), the
/// file's path (data paths resolve against its folder), the input shape and the batch.
public struct NativeModel: Sendable {
    public var path: String
    public var text: String
    public var input: [Int]
    public var batch: Int
    /// `ProgramSignature.of` of the training step and of inference, as emitted.
    public var trainingSignature: String
    public var inferenceSignature: String

    public init(path: String, text: String, input: [Int], batch: Int,
                trainingSignature: String, inferenceSignature: String) {
        self.path = path
        self.text = text
        self.input = input
        self.batch = batch
        self.trainingSignature = trainingSignature
        self.inferenceSignature = inferenceSignature
    }

    /// The model checked by the front end, or the rendered diagnostics.
    public func checked() throws -> CheckedModel {
        let source = SourceFile(path: path, text: text)
        let parsed = Parser.parse(source)
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let shape = input.count == 3 ? TensorShape.spatial(input[0], input[1], input[2]) : nil
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics,
                                            inputFlag: shape, modelDirectory: folder.isEmpty ? "/" : folder)
        guard let model = sema.model else {
            throw EmitError("the embedded model does not check:\n"
                            + (parsed.diagnostics + sema.diagnostics).map { "\($0)" }.joined(separator: "\n"))
        }
        return model
    }
}

/// A short fingerprint of a program's interface (kind, batch, every input and output with its
/// type), so a generated binary refuses a program it was not emitted for.
public enum ProgramSignature {
    public static func of(_ program: IRProgram) -> String {
        var text = "\(program.kind.rawValue) \(program.batch)\n"
        for input in program.graph.inputs { text += "in \(input.name ?? "") \(input.type)\n" }
        for output in program.graph.outputs {
            text += "out \(output.name) \(program.graph.type(of: output.value).map { "\($0)" } ?? "?")\n"
        }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0100_0000_01b3 }
        return String(h, radix: 16)
    }
}

/// The `ProgramCompiler` of a generated binary: hands out the emitted classes.
public struct NativeProgramCompiler: ProgramCompiler {
    public let model: NativeModel
    public let makeTraining: @Sendable (IRProgram) -> any ExecutableProgram
    public let makeInference: @Sendable (IRProgram) -> any ExecutableProgram

    public init(model: NativeModel, makeTraining: @escaping @Sendable (IRProgram) -> any ExecutableProgram,
                makeInference: @escaping @Sendable (IRProgram) -> any ExecutableProgram) {
        self.model = model
        self.makeTraining = makeTraining
        self.makeInference = makeInference
    }

    public var name: String { "native" }

    public func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        guard program.batch == model.batch else {
            throw EmitError("this binary was emitted for batch \(model.batch), not \(program.batch); "
                            + "emit again with that batch")
        }
        let expected = program.kind == .trainingStep ? model.trainingSignature : model.inferenceSignature
        guard ProgramSignature.of(program) == expected else {
            throw EmitError("the \(program.kind.rawValue) program differs from the one this binary was emitted for")
        }
        return program.kind == .trainingStep ? makeTraining(program) : makeInference(program)
    }
}

/// `main` of a generated binary: the same training run as `convnetc FILE --run`, with the
/// library's own trainer, data pipeline, metrics and checkpoints.
public enum NativeMain {
    /// Trains with the command-line flags (`TrainingArguments`), or runs `predict` / `evaluate` / `bench`
    /// when the first argument names one (`NativeCommands`); returns the exit status.
    public static func run(_ compiler: NativeProgramCompiler, arguments: [String]) -> Int32 {
        BLASEnvironment.reexecIfSlowCore()
        do {
            switch arguments.first {
            case "predict":
                print(try NativeCommands.predict(compiler, Array(arguments.dropFirst())), terminator: "")
                return 0
            case "evaluate":
                print(try NativeCommands.evaluate(compiler, Array(arguments.dropFirst())), terminator: "")
                return 0
            case "bench":
                print(try NativeCommands.bench(compiler, Array(arguments.dropFirst())), terminator: "")
                return 0
            default: break
            }
            let options = try TrainingArguments.decode(arguments)
            let model = try compiler.model.checked()
            let interrupt = InterruptFlag()
            interrupt.install()
            defer { interrupt.uninstall() }
            let trainer = try Trainer(model: model, options: options, interrupt: interrupt)
            return try trainer.run(compiler: compiler).exitStatus
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return 1
        }
    }
}
