import ConvnetCPU
import ConvnetIR
import ConvnetSyntax
import Foundation
import XCTest
@testable import ConvnetDriver

/// The plan `convnetc FILE --dump-ir --target cpu` prints is the plan the CPU executor runs:
/// the `kernel=` of every convolution in the dump, in order, equals the kernel each compiled
/// convolution step recorded when it was bound.
final class PlanDumpMatchesRunTests: XCTestCase {
    func testFlowersCPUDumpIsWhatTheExecutorRuns() throws {
        let path = TestPaths.sample("flowers.convnet")
        let dump = try runConvnetc([path, "--dump-ir", "--target", "cpu", "--batch", "2"])
        XCTAssertEqual(dump.status, 0, dump.stderr)
        // Top-level lines only (fusion bodies are indented); "layer kernel" per convolution.
        let shown: [String] = dump.stdout.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix(" "), let k = line.range(of: " kernel=") else { return nil }
            let kernel = line[k.upperBound...].prefix { $0 != " " }
            let layer = line.range(of: "  # ").map { line[$0.upperBound...].prefix { $0 != " " } } ?? ""
            return "\(layer) \(kernel)"
        }
        XCTAssertEqual(shown.count, 20)

        let source = try SourceFile(path: path, bytes: [UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        let model = try XCTUnwrap(Frontend.check(source: source).model)
        let program = try IRBuilder.trainingStep(model, batch: 2, optimizer: model.train.optimizer)
        let cpu = try CPUCompiler().compileOptimized(program)
        let ran = cpu.convolutionKernels.map { "\($0.layer) \($0.kernel.rawValue)" }
        XCTAssertEqual(ran, shown)
        // And the flowers kernels the CPU target has always run (see FlowersTests for each op).
        XCTAssertEqual(Set(ran.map { String($0.split(separator: " ")[1]) }), ["direct", "winograd", "gemm"])
    }
}
