import ConvnetDriver
import ConvnetIR
import ConvnetOptimizer
import ConvnetSyntax
import Foundation

/// Issue 4's figure: parse + check + build the training step + optimize, for flowers.convnet.
enum OptimizerBench {
    static func run(repo: String) throws -> [BenchRow] {
        let path = repo + "/samples/flowers.convnet"
        let source = SourceFile(path: path, bytes: try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        var peak = 0
        let t = try Stopwatch.median(runs: 20) {
            let model = Frontend.check(source: source).model!
            let program = try IRBuilder.trainingStep(model, batch: 32, optimizer: model.train.optimizer)
            peak = try Pipeline.optimize(program, for: .cpu).buffers.arenaBytes
        }
        return [BenchRow(name: "parse + check + build training step + optimize flowers.convnet", value: t * 1e3,
                         unit: "ms", note: "goal: under 50 ms; arena \(peak >> 20) MiB at batch 32")]
    }
}
