import ArgumentParser
import ConvnetDriver
import ConvnetFlags
import ConvnetOptimizer

/// `convnetc stats FILE`: what the optimizer made of the model.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Op and fusion counts, FLOPs, peak memory, and every matmul's MXU tile plan.")

    @OptionGroup var model: ModelOptions

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Batch size (default: the train block's).")
    var batch: Int?

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let (_, checked) = try model.checkedModel()
        try requireCountableBatch(checked, batch ?? checked.train.batch)
        let stats = try withTrainingErrors {
            try ProgramStats.make(checked, batch: batch ?? checked.train.batch, optimizer: checked.train.optimizer)
        }
        switch format {
        case .text: print(stats.table(), terminator: "")
        case .json: print(stats.json().serialized(pretty: true))
        }
    }
}
