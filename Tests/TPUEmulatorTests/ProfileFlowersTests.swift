import XCTest
import ConvnetIR
import ConvnetOptimizer
import ConvnetSema
import ConvnetSyntax
@testable import TPUEmulator

/// The modelled step of samples/flowers.convnet (the solution notebook's model) at batch 128 on
/// 8 cores, the figure the README compares with the notebook's 64-110 ms/step on a TPU v2-8.
/// Set `CONVNETC_PRINT_PROFILE=1` to print both tables.
final class ProfileFlowersTests: XCTestCase {
    func flowers() throws -> CheckedModel {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../samples/flowers.convnet").standardized.path
        let source = SourceFile(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let parsed = Parser.parse(source)
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
        return try XCTUnwrap(sema.model, "\(sema.diagnostics)")
    }

    func testTrainingStepAtBatch128On8Cores() throws {
        let report = try TPUProfiler.report(try flowers(), name: "flowers", globalBatch: 128, cores: 8, training: true)
        if ProcessInfo.processInfo.environment["CONVNETC_PRINT_PROFILE"] != nil { print(report.renderText()) }
        XCTAssertEqual(report.perCoreBatch, 16)
        XCTAssertEqual(report.allReduceBytes, 4 * 293_233)
        // conv2d_1's forward conv: M = 16*192*192, K = 3*3*16, N = 30.
        let forward = try XCTUnwrap(report.rows.first { $0.op == "conv2d" && $0.layer == "conv2d_1" })
        XCTAssertEqual(forward.plans, [TilePlan.weightStationary(m: 16 * 192 * 192, k: 144, n: 30)])
        // Both gradients of conv2d_1 are there, and the MACs of the step are 3x the forward's.
        XCTAssertNotNil(report.rows.first { $0.op == "conv2d_filter_grad" && $0.layer == "conv2d_1" })
        XCTAssertNotNil(report.rows.first { $0.op == "conv2d_input_grad" && $0.layer == "conv2d_1" })
        let forwardMACs = try flowers().layers.reduce(0) { $0 + $1.macs } * 16
        // Every layer but the first has an input gradient; the first has none (images are data).
        let firstLayerMACs = try flowers().layers[0].macs * 16
        XCTAssertEqual(report.totals.macs, 3 * forwardMACs - firstLayerMACs)
        // The step is in the milliseconds and the top op is a big early convolution.
        XCTAssertGreaterThan(report.stepSeconds, 1e-3)
        XCTAssertLessThan(report.stepSeconds, 1)
        XCTAssertTrue(report.rows[report.topRows(1)[0]].layer.hasPrefix("conv2d"))
        XCTAssertGreaterThan(report.allReduceCycles, 0)
        // The figure NotebookStepTime's table quotes.
        XCTAssertEqual(report.totalCycles, 14_061_682)
        XCTAssertEqual(NotebookStepTime.comparison(report),
                       "real TPU v2-8 (solution notebook, batch 128): 64-110 ms/step; modelled: 20.088 ms "
                       + "(3.2x-5.5x faster); see NotebookStepTime for why")
    }

    func testInferenceAtBatch128On8Cores() throws {
        let report = try TPUProfiler.report(try flowers(), name: "flowers", globalBatch: 128, cores: 8, training: false)
        if ProcessInfo.processInfo.environment["CONVNETC_PRINT_PROFILE"] != nil { print(report.renderText()) }
        XCTAssertEqual(report.allReduceCycles, 0)
        XCTAssertEqual(report.totals.macs, try flowers().layers.reduce(0) { $0 + $1.macs } * 16)
        XCTAssertEqual(report.rows.last?.op, "softmax")
    }

    func testTiledLayoutCostsMoreVectorAndMemoryButTheSameMXU() throws {
        let m = try flowers()
        let exact = try TPUProfiler.report(m, name: "flowers", globalBatch: 128, cores: 8, training: true)
        let tiled = try TPUProfiler.report(m, name: "flowers", globalBatch: 128, cores: 8, training: true,
                                           layout: .tiled8x128)
        if ProcessInfo.processInfo.environment["CONVNETC_PRINT_PROFILE"] != nil { print(tiled.renderText()) }
        XCTAssertEqual(tiled.totals.mxuCycles, exact.totals.mxuCycles)
        XCTAssertGreaterThan(tiled.totals.bytes, 2 * exact.totals.bytes)
        XCTAssertGreaterThan(tiled.totalCycles, exact.totalCycles)
        // conv2d's relu: (16,192,192,16) is stored as (16,192,192,128): 8x the bytes.
        let relu = { (r: ProfileReport) in r.rows.first { $0.op == "relu" && $0.layer == "conv2d" }!.bytes }
        XCTAssertEqual(relu(tiled), 8 * relu(exact))
        let inference = try TPUProfiler.report(m, name: "flowers", globalBatch: 128, cores: 8, training: false,
                                               layout: .tiled8x128)
        if ProcessInfo.processInfo.environment["CONVNETC_PRINT_PROFILE"] != nil { print(inference.renderText()) }
        XCTAssertGreaterThan(inference.totalCycles, 4_396_922)  // the exact layout's, in the README
    }

    func testUnevenBatchIsRefused() throws {
        XCTAssertThrowsError(try TPUProfiler.report(try flowers(), globalBatch: 100, cores: 8, training: true)) { e in
            XCTAssertEqual((e as? DataParallelError)?.message, "batch 100 does not split evenly over 8 cores (100 % 8 = 4)")
        }
    }
}
