import ArgumentParser
import ConvnetDriver
import Foundation

/// `convnetc export keras FILE [-o OUT.py]`
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the model as a program for another framework.",
        subcommands: [Keras.self])

    /// The model as a Keras program (`summary`, `evaluate`, `train` on TPUs and GPUs).
    struct Keras: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the model as one Python file that builds, evaluates and trains it with Keras.")

        @OptionGroup var model: ModelOptions

        @Option(name: .shortAndLong, help: "The Python file to write (default: the model's name with .py, in the current folder).")
        var output: String?

        func run() throws {
            let (_, checked) = try model.checkedModel()
            let name = Frontend.modelName(path: model.file)
            let path = output ?? name + ".py"
            let text = KerasExporter.program(checked, name: name)
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                Console.writeError("error: cannot write \(path): \(error.localizedDescription)\n")
                throw ExitCode(1)
            }
            print(path)
        }
    }
}
