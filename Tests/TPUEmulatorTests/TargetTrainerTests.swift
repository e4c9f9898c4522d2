import ConvnetIR
import ConvnetTraining
import Foundation
import XCTest
@testable import TPUEmulator

/// `Trainer` driving the TPU target end to end on synthetic shapes.
final class TargetTrainerTests: XCTestCase {
    func testLossFallsAndModelledStepTimeIsPrinted() throws {
        let model = try targetModel(targetModelText.replacingOccurrences(of: "epochs 3", with: "epochs 4"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tpu-target-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainingOptions()
        options.outputDirectory = folder.path
        options.workers = 1
        let output = CapturedOutput(isTerminal: false)
        let trainer = try Trainer(model: ModelDescription(model), options: options, output: output, clock: ManualClock())
        let result = try trainer.run(compiler: TPUCompiler(model: model, cores: 4).compiling(model))
        XCTAssertEqual(result.epochs.count, 4)
        XCTAssertLessThan(result.epochs.last!.loss, result.epochs.first!.loss, output.text)
        XCTAssertTrue(output.text.contains("backend tpu"), output.text)
        let lines = output.text.split(separator: "\n").filter { $0.contains(" - TPU model: ") && $0.contains("s/step, MXU ") }
        XCTAssertEqual(lines.count, 4, output.text)
    }
}
