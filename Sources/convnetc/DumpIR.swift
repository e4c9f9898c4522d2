import ConvnetDriver
import ConvnetIR
import ConvnetOptimizer
import ConvnetSema

/// `--dump-ir[=all] [--target cpu|tpu|native]`: the optimized IR a target runs, as text, XLA-style.
enum DumpIR {
    enum Program: String, CaseIterable {
        case train, inference
    }

    /// The plan `target` runs: its pipeline's output (`kernel=` on every convolution); for the
    /// reference interpreter, the program as built (it runs that, unoptimized).
    static func text(_ model: CheckedModel, batch: Int, program: Program, all: Bool, target: Target) throws -> String {
        let ir = switch program {
        case .train: try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        case .inference: try IRBuilder.inference(model, batch: batch)
        }
        guard let capabilities = target.capabilities else { return Printer().print(ir.graph) }
        return try Pipeline.optimize(ir, for: capabilities, recordEveryPass: all).dump(all: all)
    }
}
