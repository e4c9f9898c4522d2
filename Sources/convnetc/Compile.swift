import ArgumentParser
import ConvnetDriver
import ConvnetSupport

/// `convnetc FILE [...]`: the default command. Checks the model; later stages (IR dumps,
/// training, emission) hang off its flags.
struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Check a model (the default command: `convnetc FILE`).")

    @OptionGroup var model: ModelOptions

    func run() throws {
        let (_, checked) = try model.checkedModel()
        print("\(model.file): ok: \(checked.layers.count) layers, \(NumberFormat.grouped(checked.totalParams)) parameters, input \(checked.inputShape) -> \(checked.outputShape)")
    }
}
