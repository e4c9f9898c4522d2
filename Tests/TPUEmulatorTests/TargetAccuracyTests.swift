import ConvnetCPU
import ConvnetIR
import ConvnetSema
import ConvnetTraining
import Foundation
import XCTest
@testable import TPUEmulator

/// The done-criterion's shape in miniature: a flowers-like model (convolutions, max pooling,
/// dense; no batch norm, no dropout, like samples/flowers.convnet)
/// trained by `Trainer` with the same seed and epochs on the CPU target and on the TPU target
/// (8 cores) ends at about the same accuracy.
final class TargetAccuracyTests: XCTestCase {
    let text = """
        input 12x12x3
        conv 3x3x4 relu
        maxpool 2
        conv 3x3x8 relu
        flatten
        dense 3 softmax
        train {
          data "synthetic:shapes:3:80"
          validation 0.25
          batch 16
          epochs 4
          optimizer adam lr 0.02
          seed 7
        }
        """

    func train(_ compiler: (CheckedModel) -> any ProgramCompiler) throws -> [EpochMetrics] {
        let model = try targetModel(text)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tpu-accuracy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = TrainingOptions()
        options.outputDirectory = folder.path
        options.workers = 1
        let trainer = try Trainer(model: ModelDescription(model), options: options, output: CapturedOutput(isTerminal: false),
                                  clock: ManualClock())
        return try trainer.run(compiler: compiler(model).compiling(model)).epochs
    }

    func testTPUTargetEndsWithinTwoPointsOfCPUTarget() throws {
        let cpu = try train { _ in CPUCompiler() }
        let tpu = try train { TPUCompiler(model: $0, cores: 8) }
        let cpuAccuracy: Double = try XCTUnwrap(cpu.last?.valAccuracy)
        let tpuAccuracy: Double = try XCTUnwrap(tpu.last?.valAccuracy)
        print(String(format: "synthetic shapes, 4 epochs: validation accuracy CPU %.1f%%, TPU %.1f%%; loss CPU %.4f, TPU %.4f",
                     cpuAccuracy * 100, tpuAccuracy * 100, cpu.last!.loss, tpu.last!.loss))
        XCTAssertGreaterThan(cpuAccuracy, 0.5, "the model should learn the shapes")
        XCTAssertLessThanOrEqual(abs(cpuAccuracy - tpuAccuracy), 0.02)
        // The first epoch's losses agree closely; later ones drift apart as bfloat16 rounding
        // compounds over hundreds of Adam steps (two trajectories, not one with noise).
        XCTAssertEqual(cpu[0].loss, tpu[0].loss, accuracy: 0.05 * cpu[0].loss)
        XCTAssertEqual(cpu.last!.loss, tpu.last!.loss, accuracy: 0.25 * cpu.last!.loss)
    }
}

