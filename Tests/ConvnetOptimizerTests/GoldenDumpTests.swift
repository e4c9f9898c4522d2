import ConvnetTestSupport
import Foundation
import XCTest
import ConvnetIR
@testable import ConvnetOptimizer

/// The optimized inference program of every sample at batch 32, as `--dump-ir --target tpu`
/// (the default target) and `--target cpu` print it, against `Golden/<sample>.inference.ir` and
/// `Golden/<sample>.cpu.inference.ir`. Re-record with `CONVNETC_RECORD=1 swift test
/// --filter GoldenDumpTests`.
final class GoldenDumpTests: XCTestCase {
    func testOptimizedInferenceDumps() throws {
        let record = ProcessInfo.processInfo.environment["CONVNETC_RECORD"] == "1"
        for name in try TestPaths.sampleNames() {
          for (target, suffix) in [(TargetCapabilities.tpu, ".inference.ir"), (.cpu, ".cpu.inference.ir")] {
            let model = try sampleModel(name)
            let actual = try Pipeline.optimize(IRBuilder.inference(model, batch: 32), for: target).dump()
            let url = TestPaths.golden.appendingPathComponent(name + suffix)
            if record {
                try FileManager.default.createDirectory(at: TestPaths.golden, withIntermediateDirectories: true)
                try actual.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
                XCTFail("no golden \(url.lastPathComponent); record with CONVNETC_RECORD=1")
                continue
            }
            if expected != actual {
                XCTFail("\(name): optimized IR differs from \(url.lastPathComponent) (- golden, + now):\n"
                        + LineDiff.render(expected: expected, actual: actual))
            }
          }
        }
    }
}
