import XCTest
import ConvnetIR
@testable import ConvnetOptimizer

final class ScratchDumpTests: XCTestCase {
    func testScratch() throws {
        let model = try sampleModel("flowers")
        let program = try IRBuilder.trainingStep(model, batch: 32, optimizer: model.train.optimizer)
        let o = Pipeline.optimize(program, recordEveryPass: true)
        try o.dump(all: true).write(toFile: "/tmp/opt-flowers-train.ir", atomically: true, encoding: .utf8)
        let s = try ProgramStats.make(model, batch: 32, optimizer: model.train.optimizer)
        try s.table().write(toFile: "/tmp/opt-flowers-stats.txt", atomically: true, encoding: .utf8)
    }
}
