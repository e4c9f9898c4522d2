import ConvnetDriver
import ConvnetIR
import ConvnetOptimizer
import ConvnetSema

/// `--dump-ir[=all]`: the optimized IR as text, XLA-style.
enum DumpIR {
    enum Program: String, CaseIterable {
        case train, inference
    }

    static func text(_ model: CheckedModel, batch: Int, program: Program, all: Bool) throws -> String {
        let ir = switch program {
        case .train: try IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        case .inference: try IRBuilder.inference(model, batch: batch)
        }
        return Pipeline.optimize(ir, recordEveryPass: all).dump(all: all)
    }
}
