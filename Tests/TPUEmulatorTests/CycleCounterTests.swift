import XCTest
import ConvnetOptimizer
@testable import TPUEmulator

final class CycleCounterTests: XCTestCase {
    func testChargesMergeByLabelInFirstSeenOrder() {
        let d = TPUDevice()
        var counter = CycleCounter()
        let plan = d.plan(m: 36864, k: 27, n: 16)
        counter.chargeMXU(op: "conv", layer: "conv2d", plan: plan)
        counter.chargeVPU(op: "relu", layer: "conv2d", elements: 36864 * 16, device: d)
        counter.chargeMemory(op: "conv", layer: "conv2d", bytes: 3000, device: d)
        counter.chargeMXU(op: "conv", layer: "conv2d_1", plan: d.plan(m: 36864, k: 144, n: 30))
        counter.chargeMXU(op: "conv", layer: "conv2d", plan: plan)

        XCTAssertEqual(counter.entries.map { "\($0.op)@\($0.layer)" },
                       ["conv@conv2d", "relu@conv2d", "conv@conv2d_1"])
        let conv = counter.entries[0]
        XCTAssertEqual(conv.calls, 3)
        XCTAssertEqual(conv.mxuCycles, 2 * plan.cycles)
        XCTAssertEqual(conv.macs, 2 * 36864 * 27 * 16)
        XCTAssertEqual(conv.bytes, 3000)
        XCTAssertEqual(conv.memoryCycles, 7)
        XCTAssertEqual(counter.entries[1].vpuCycles, 576)      // 589824 / 1024
        XCTAssertEqual(counter.total(layer: "conv2d").vpuCycles, 576)
        XCTAssertEqual(counter.total.mxuCycles,
                       2 * plan.cycles + d.plan(m: 36864, k: 144, n: 30).cycles)
    }

    func testEstimatedCyclesOverlapsMemoryWithCompute() {
        var e = CycleCounter.Entry(op: "x", layer: "")
        e.mxuCycles = 100
        e.vpuCycles = 20
        e.memoryCycles = 50
        e.allReduceCycles = 7
        XCTAssertEqual(e.estimatedCycles, 127)
        e.memoryCycles = 500
        XCTAssertEqual(e.estimatedCycles, 507)
    }

    func testMergeAndAllReduceCharge() {
        let d = TPUDevice()
        var a = CycleCounter(), b = CycleCounter()
        a.chargeAllReduce(bytes: 1_000_000, device: d)
        b.chargeAllReduce(bytes: 1_000_000, device: d)
        b.chargeVPU(op: "adam", elements: 2048, opsPerElement: 10, device: d)
        a.merge(b)
        XCTAssertEqual(a.entries.count, 2)
        XCTAssertEqual(a.entries[0].allReduceCycles, 2 * 19_759)
        XCTAssertEqual(a.entries[1].vpuCycles, 20)
        XCTAssertNotEqual(a, b)
    }
}
