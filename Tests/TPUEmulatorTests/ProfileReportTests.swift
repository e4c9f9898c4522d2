import XCTest
import ConvnetIR
import ConvnetOptimizer
import ConvnetSupport
@testable import TPUEmulator

/// Step totals, the all-reduce term, and the two renderings.
final class ProfileReportTests: XCTestCase {
    let rows = [
        ProfileRow(op: "conv2d", layer: "conv2d", mxuCycles: 1_000, vpuCycles: 0, memoryCycles: 200,
                   bytes: 85_715, macs: 8_000_000),
        ProfileRow(op: "relu", layer: "conv2d", mxuCycles: 0, vpuCycles: 100, memoryCycles: 300, bytes: 128_572),
        ProfileRow(op: "softmax_xent", layer: "loss", mxuCycles: 0, vpuCycles: 50, memoryCycles: 1, bytes: 100),
    ]

    func testTotalsAndTheAllReduceFor8Cores() {
        let r = ProfileReport(mode: .training, rows: rows, device: .tpuV2, cores: 8, perCoreBatch: 16,
                              allReduceBytes: 1_000_000)
        XCTAssertEqual(r.computeCycles, 1_000 + 300 + 50)
        // Ring: each core sends 2 * 7/8 * 1e6 = 1.75e6 B over a 62 GB/s link at 700 MHz = 19,758.06.
        XCTAssertEqual(r.allReduceCycles, 19_759)
        XCTAssertEqual(r.totalCycles, 1_350 + 19_759)
        XCTAssertEqual(r.stepSeconds, Double(21_109) / 700e6, accuracy: 1e-15)
        XCTAssertEqual(r.globalBatch, 128)
        XCTAssertEqual(r.share(of: rows[0]), 1_000.0 / 21_109, accuracy: 1e-12)
        XCTAssertEqual(r.totals.mxuCycles, 1_000)
        XCTAssertEqual(r.totals.vpuCycles, 150)
        XCTAssertEqual(r.totals.bytes, 85_715 + 128_572 + 100)
        XCTAssertEqual(r.topRows(3), [0, 1, 2])
        XCTAssertEqual(r.cyclesByLayer.map(\.layer), ["conv2d", "loss"])
        XCTAssertEqual(r.cyclesByLayer.map(\.cycles), [1_300, 50])

        let oneCore = ProfileReport(mode: .training, rows: rows, device: .tpuV2, cores: 1, perCoreBatch: 128,
                                    allReduceBytes: 1_000_000)
        XCTAssertEqual(oneCore.allReduceCycles, 0)
        let inference = ProfileReport(mode: .inference, rows: rows, device: .tpuV2, cores: 8, perCoreBatch: 16,
                                      allReduceBytes: 0)
        XCTAssertEqual(inference.totalCycles, 1_350)
    }

    func testJSONHasTheContractKeysInOrder() {
        let r = ProfileReport(mode: .training, rows: rows, device: .tpuV2, cores: 8, perCoreBatch: 16,
                              allReduceBytes: 1_000_000)
        guard case .object(let top) = r.json else { return XCTFail("not an object") }
        XCTAssertEqual(Array(top.map(\.0).prefix(3)), ["ops", "total_cycles", "step_seconds"])
        guard case .array(let ops) = top[0].1, case .object(let first) = ops[0] else { return XCTFail("no ops") }
        XCTAssertEqual(ops.count, 3)
        XCTAssertEqual(Array(first.map(\.0).prefix(6)),
                       ["op", "layer", "mxu_cycles", "vpu_cycles", "mxu_utilization", "bytes"])
        XCTAssertEqual(first[0].1, .string("conv2d"))
        XCTAssertEqual(first[2].1, .int(1_000))
        XCTAssertEqual(first[4].1, .double(8_000_000 / (16_384.0 * 1_000)))
        XCTAssertEqual(top[1].1, .int(21_109))
        let text = r.json.serialized()
        XCTAssertTrue(text.hasPrefix(#"{"ops":[{"op":"conv2d","layer":"conv2d","mxu_cycles":1000,"vpu_cycles":0,"#), text)
    }

    func testTextTableIsAlignedWithTotalsAndTop3() {
        let r = ProfileReport(name: "tiny", mode: .training, rows: rows, device: .tpuV2, cores: 8, perCoreBatch: 16,
                              allReduceBytes: 1_000_000)
        let text = r.renderText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "TPU profile: tiny training step, 8 cores x 16 examples (batch 128), 128x128 MXU at 700 MHz")
        // Header, rule, 3 rows, rule, total, all-reduce: every line of the table is equally wide.
        let table = Array(lines[1...8])
        XCTAssertEqual(Set(table.map(\.count)).count, 1, text)
        XCTAssertTrue(lines[3].hasPrefix("1  conv2d"), lines[3])
        XCTAssertTrue(lines[3].contains("1,000"), lines[3])
        XCTAssertTrue(lines[3].contains("85,715"), lines[3])
        XCTAssertTrue(lines[7].contains("total") && lines[7].contains("1,350"), lines[7])
        XCTAssertTrue(lines[8].contains("all-reduce") && lines[8].contains("19,759") && lines[8].contains("1,000,000"), lines[8])
        XCTAssertTrue(text.contains("step: 21,109 cycles = 0.030 ms per step"), text)
        XCTAssertTrue(text.contains("top 3: #1 conv2d (conv2d) 4.7%, #2 relu (conv2d) 1.4%, #3 softmax_xent (loss) 0.2%"), text)
    }
}
