import XCTest
import ConvnetOptimizer
@testable import TPUEmulator

/// Device defaults and cost functions, with the arithmetic written out.
final class TPUDeviceTests: XCTestCase {
    func testDefaultsAreTPUv2() {
        let d = TPUDevice.tpuV2
        XCTAssertEqual(d.mxu, MXUShape(rows: 128, cols: 128))
        XCTAssertEqual(d.clockHz, 700e6)
        XCTAssertEqual(d.vpuLanes, 1024)
        XCTAssertEqual(d.hbmBytesPerSecond, 300e9)
        XCTAssertEqual(d.cores, 8)
        XCTAssertEqual(d.linkBytesPerSecond, 62e9)
    }

    func testVPUCyclesRoundUpToWholeRegisters() {
        let d = TPUDevice()
        XCTAssertEqual(d.vpuCycles(elements: 0), 0)
        XCTAssertEqual(d.vpuCycles(elements: 1024), 1)
        XCTAssertEqual(d.vpuCycles(elements: 1025), 2)
        XCTAssertEqual(d.vpuCycles(elements: 1000, opsPerElement: 3), 3)   // 3000 / 1024
        XCTAssertEqual(d.vpuCycles(elements: 192 * 192 * 16 * 32, opsPerElement: 2), 36864)
    }

    func testMemoryCycles() {
        let d = TPUDevice()
        XCTAssertEqual(d.memoryCycles(bytes: 0), 0)
        XCTAssertEqual(d.memoryCycles(bytes: 300_000_000_000), 700_000_000)   // one second
        XCTAssertEqual(d.memoryCycles(bytes: 3000), 7)                        // 3000 / (300e9/700e6)
        XCTAssertEqual(d.memoryCycles(bytes: 3001), 8)
    }

    func testRingAllReduce() {
        let d = TPUDevice()
        XCTAssertEqual(d.ringAllReduceCycles(bytes: 1_000_000, cores: 1), 0)
        // 2 * 7/8 * 1e6 bytes = 1.75e6 bytes at 62e9 B/s = 28.2258 us = 19758.06 cycles -> 19759.
        XCTAssertEqual(d.ringAllReduceCycles(bytes: 1_000_000, cores: 8), 19_759)
        // Two cores send exactly the buffer once: 1e6 bytes -> 11290.3 -> 11291 cycles.
        XCTAssertEqual(d.ringAllReduceCycles(bytes: 1_000_000, cores: 2), 11_291)
    }

    func testPlanUsesDeviceMXUAndSecondsUseClock() {
        let d = TPUDevice(mxu: MXUShape(rows: 32, cols: 32))
        XCTAssertEqual(d.plan(m: 3025, k: 363, n: 96).cycles, 112_283)
        XCTAssertEqual(d.seconds(cycles: 700), 1e-6, accuracy: 1e-15)
        XCTAssertGreaterThanOrEqual(TPUDevice.hostCores, 1)
    }
}

/// The device-level matmul: computes, then charges MXU cycles, MACs and HBM bytes.
final class TPUDeviceMatmulTests: XCTestCase {
    func testMatmulComputesAndCharges() {
        let device = TPUDevice(mxu: MXUShape(rows: 8, cols: 8))
        var counter = CycleCounter()
        let a: [Float] = [1, 2, 3, 4, 5, 6]            // (2, 3)
        let b: [Float] = [1, 0, 0, 1, 1, 1]            // (3, 2)
        var c = [Float](repeating: 0, count: 4)
        let plan = a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    device.matmul(a: ap.baseAddress!, b: bp.baseAddress!, c: cp.baseAddress!, m: 2, k: 3, n: 2,
                                  op: "dense", layer: "dense", counter: &counter)
                }
            }
        }
        XCTAssertEqual(c, [4, 5, 10, 11])
        XCTAssertEqual(plan, TilePlan.weightStationary(m: 2, k: 3, n: 2, array: MXUShape(rows: 8, cols: 8)))
        let row = counter.entries[0]
        XCTAssertEqual(row.mxuCycles, 2 * 8 + 8 + 2 - 2 - 1)
        XCTAssertEqual(row.macs, 12)
        XCTAssertEqual(row.bytes, 4 * (6 + 6 + 4))
        XCTAssertEqual(row.mxuUtilization(array: device.mxu), 12.0 / (64.0 * 23.0), accuracy: 1e-12)
        XCTAssertEqual(CycleCounter.Entry(op: "x", layer: "").mxuUtilization(array: device.mxu), 0)
    }
}
