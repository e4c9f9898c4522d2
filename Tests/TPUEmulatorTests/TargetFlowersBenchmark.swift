import ConvnetCPU
import ConvnetIR
import ConvnetKernels
import Foundation
import XCTest
@testable import TPUEmulator

/// The flowers training step at batch 32 on the TPU target (8 cores x 4) and on the CPU target,
/// in the same process: a measurement, not a check. Skipped unless CONVNETC_TPU_BENCH is set;
/// meaningful in a release build, e.g.
/// `CONVNETC_TPU_BENCH=1 swift test -c release --filter TargetFlowersBenchmark`.
final class TargetFlowersBenchmark: XCTestCase {
    func testFlowersTrainingThroughput() throws {
        guard ProcessInfo.processInfo.environment["CONVNETC_TPU_BENCH"] != nil else {
            throw XCTSkip("set CONVNETC_TPU_BENCH=1 to measure")
        }
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../samples/flowers.convnet").standardized.path
        let model = try targetModel(String(contentsOfFile: path, encoding: .utf8))
        let program = try IRBuilder.trainingStep(model, batch: 32, optimizer: model.train.optimizer)
        var compilers: [(String, any ProgramCompiler)] = [("cpu", CPUCompiler())]
        for threads in [1, 2] {
            compilers.append(("tpu, 8 cores x 4, \(threads) host thread(s) per matmul",
                              TPUCompiler(model: model, cores: 8, hostThreads: threads)))
        }
        var fp32 = TPUCompiler(model: model, cores: 8)
        fp32.engine = BLASEngine()
        compilers.append(("tpu structure with the fp32 BLAS engine", fp32))
        // The machine is shared: runs alternate between the targets, best step of each kept.
        let executables = try compilers.map { try $0.1.compile(program) }
        for exe in executables { feed(exe, program: program, classes: 5, seed: 1) }
        var best = Array(repeating: Double.infinity, count: executables.count)
        var step = 0
        for round in 0..<5 {
            for (i, exe) in executables.enumerated() {
                for _ in 0..<2 {
                    step += 1
                    exe.setScalar(IRProgram.Names.step, Float(step))
                    let start = Date()
                    try exe.run()
                    exe.feedBack()
                    if round > 0 { best[i] = min(best[i], Date().timeIntervalSince(start)) }
                }
            }
        }
        for (i, exe) in executables.enumerated() {
            var line = String(format: "flowers training step, batch 32, %@: %.3f s/step, %.1f images/s",
                              compilers[i].0, best[i], 32 / best[i])
            if let modelled = exe as? TPUTrainingExecutable { line += modelled.modelledCostTrailer }
            print(line)
            if let tpu = exe as? TPUTrainingExecutable, ProcessInfo.processInfo.environment["CONVNETC_TPU_PROFILE"] != nil {
                tpu.gradient.profiling = true
                try tpu.gradient.run()
                print(tpu.gradient.profileTable())
            }
        }
    }
}
