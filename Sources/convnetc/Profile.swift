import ArgumentParser
import ConvnetDriver
import ConvnetFlags
import ConvnetOptimizer
import TPUEmulator

/// `convnetc profile FILE --target tpu`: where a step's modelled TPU cycles go, op by op.
struct Profile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Per-op modelled TPU cycles of the inference program (or the training step with --train).")

    @OptionGroup var model: ModelOptions

    @Option(help: "The device to model (only tpu has a cycle model).")
    var target: ProfileTarget = .tpu

    @Option(help: "Global batch size (default: the train block's), split evenly over the cores.")
    var batch: Int?

    @OptionGroup var device: DeviceFlags

    @Flag(help: "Profile the training step (forward, backward, optimizer update, all-reduce).")
    var train = false

    @Option(help: "Memory layout for vector and memory costs: exact or tiled8x128 (XLA's padding).")
    var layout: ProfileLayout = .exact

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let (_, checked) = try model.checkedModel()
        try requireCountableBatch(checked, batch ?? checked.train.batch)
        let report = try withTrainingErrors {
            try TPUProfiler.report(checked, name: Frontend.modelName(path: model.file),
                                   globalBatch: batch ?? checked.train.batch, cores: device.cores, training: train,
                                   optimizer: checked.train.optimizer, device: device.device,
                                   layout: layout == .exact ? .exact : .tiled8x128,
                                   optimize: { try Pipeline.for(.tpu).run($0) })
        }
        switch format {
        case .text:
            print(report.renderText(), terminator: "")
            if let note = NotebookStepTime.comparison(report) { print(note) }
        case .json:
            print(report.json.serialized(pretty: true))
        }
    }
}

enum ProfileTarget: String, ExpressibleByArgument { case tpu }
enum ProfileLayout: String, ExpressibleByArgument { case exact, tiled8x128 }
