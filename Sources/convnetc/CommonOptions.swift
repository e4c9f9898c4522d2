import ArgumentParser
import ConvnetDriver
import ConvnetSema
import Foundation

/// Options every command that reads a model takes.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The .convnet model file.")
    var file: String

    @Option(name: .customLong("input"), help: "Input shape HxWxC when the file has no `input` line (default 192x192x3).")
    var input: String?

    @Flag(name: .customLong("no-color"), help: "Never colour diagnostics.")
    var noColor = false

    func validate() throws {
        if let input, TensorShape(flag: input) == nil {
            throw ValidationError("--input expects HxWxC with positive sizes, e.g. --input 192x192x3; got '\(input)'")
        }
    }

    var inputShape: TensorShape? { input.flatMap(TensorShape.init(flag:)) }

    /// Loads, parses and checks the file, printing its diagnostics to stderr. Exits 1 on errors.
    func checkedModel() throws -> (FrontendResult, CheckedModel) {
        let result = Frontend.check(path: file, inputFlag: inputShape)
        Console.printDiagnostics(result, colorAllowed: !noColor)
        guard let model = result.model, !result.hasErrors else { throw ExitCode(1) }
        return (result, model)
    }
}

/// Refuses a batch too large for any program of `model` to be sized (exit 1, before any
/// program is built): `--batch 9223372036854775807` on `stats`, `--dump-ir`, `profile`, ...
func requireCountableBatch(_ model: CheckedModel, _ batch: Int) throws {
    if let problem = model.batchProblem(batch) {
        Console.writeError("error: \(problem)\nhelp: pass a smaller --batch\n")
        throw ExitCode(1)
    }
}

