import Foundation
import XCTest
import ConvnetIR
import ConvnetKernels
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetCPU

/// The training step and inference of samples/flowers.convnet at batch 32, random data: a
/// measurement, not a check. Skipped unless CONVNETC_CPU_BENCH is set; meaningful only in a
/// release build with OPENBLAS_CORETYPE=SkylakeX, e.g.
/// `OPENBLAS_CORETYPE=SkylakeX CONVNETC_CPU_BENCH=1 swift test -c release --filter FlowersBenchmark`.
final class FlowersBenchmark: XCTestCase {
    func flowersModel() throws -> CheckedModel {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../samples/flowers.convnet").standardized.path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let parsed = Parser.parse(SourceFile(path: path, text: text))
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
        return try XCTUnwrap(sema.model, "\(sema.diagnostics)")
    }

    func testFlowersSpeed() throws {
        guard ProcessInfo.processInfo.environment["CONVNETC_CPU_BENCH"] != nil else {
            throw XCTSkip("set CONVNETC_CPU_BENCH=1 to measure")
        }
        let model = try flowersModel()
        for threads in [1, 2] {
            for kind in [IRProgram.Kind.trainingStep, .inference] {
                let program = kind == .trainingStep
                    ? try IRBuilder.trainingStep(model, batch: 32, optimizer: .adam(learningRate: 0.001))
                    : try IRBuilder.inference(model, batch: 32)
                let cpu = try CPUCompiler(blasThreads: threads).compileCPU(program)
                feed([cpu], learningRate: 0.001)
                var times: [Double] = []
                for step in 1...5 {
                    if kind == .trainingStep { cpu.setScalar(IRProgram.Names.step, Float(step)) }
                    let start = Date()
                    try cpu.run()
                    if kind == .trainingStep { cpu.feedBack() }
                    if step > 1 { times.append(Date().timeIntervalSince(start)) }
                }
                let best = times.min()!
                print(String(format: "flowers %@ batch 32, BLAS threads %d (%@): %.3f s/step, %.1f images/s",
                             kind.rawValue, threads, BLASInfo.coreName, best, 32 / best))
                if kind == .trainingStep && threads == 1 {
                    cpu.profiling = true
                    try cpu.run()
                    print(cpu.profileTable())
                }
            }
        }
    }
}
