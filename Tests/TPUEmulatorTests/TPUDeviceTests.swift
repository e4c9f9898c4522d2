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
