import ArgumentParser
import ConvnetDriver
import ConvnetFlags
import ConvnetSema

/// `convnetc summary FILE`: the Keras table, with MACs and activation memory.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every layer's output shape, parameters and MACs, as Keras' model.summary().")

    @OptionGroup var model: ModelOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let (_, checked) = try model.checkedModel()
        switch format {
        case .text: print(ConvnetSema.Summary.table(checked, name: Frontend.modelName(path: model.file)), terminator: "")
        case .json: print(ConvnetSema.Summary.json(checked).serialized(pretty: true))
        }
    }
}

/// `convnetc check FILE`: diagnostics only.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a model and print its diagnostics only (exit 1 on errors).")

    @OptionGroup var model: ModelOptions

    func run() throws {
        _ = try model.checkedModel()
    }
}
