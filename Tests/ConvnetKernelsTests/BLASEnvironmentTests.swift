import XCTest
@testable import ConvnetKernels

final class BLASEnvironmentTests: XCTestCase {
    let cpuinfo = """
    processor\t: 0
    vendor_id\t: GenuineIntel
    model\t\t: 207
    flags\t\t: fpu vme sse sse2 ssse3 fma avx avx2 avx512f avx512bw avx512vl
    bogomips\t: 4200.00

    processor\t: 1
    flags\t\t: fpu sse
    """

    func testParsesTheFirstFlagsLine() {
        let flags = BLASEnvironment.cpuFlags(fromCPUInfo: cpuinfo)
        XCTAssertTrue(flags.contains("avx512f"))
        XCTAssertTrue(flags.contains("fpu"))
        XCTAssertFalse(flags.contains("flags"))
        XCTAssertEqual(flags.count, 11)
        XCTAssertEqual(BLASEnvironment.cpuFlags(fromCPUInfo: "model name: x\n"), [])
    }

    func testChoosesTheBestCoreTheFlagsAllow() {
        XCTAssertEqual(BLASEnvironment.coreType(forCPUFlags: ["avx2", "fma", "avx512f"]), "SkylakeX")
        XCTAssertEqual(BLASEnvironment.coreType(forCPUFlags: ["avx2", "fma"]), "Haswell")
        XCTAssertNil(BLASEnvironment.coreType(forCPUFlags: ["sse3"]))
    }

    func testReexecutesOnlyFromPrescottWithNoVariableSet() {
        let avx512: Set<String> = ["avx512f", "avx2", "fma"]
        XCTAssertEqual(BLASEnvironment.reexecCoreType(environment: [:], coreName: "Prescott", cpuFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLASEnvironment.reexecCoreType(environment: [:], coreName: "PRESCOTT", cpuFlags: ["avx2", "fma"]), "Haswell")
        XCTAssertNil(BLASEnvironment.reexecCoreType(environment: [:], coreName: "SkylakeX", cpuFlags: avx512))
        XCTAssertNil(BLASEnvironment.reexecCoreType(environment: ["OPENBLAS_CORETYPE": "Haswell"],
                                                    coreName: "Prescott", cpuFlags: avx512))
        XCTAssertNil(BLASEnvironment.reexecCoreType(environment: ["CONVNETC_BLAS_REEXEC": "1"],
                                                    coreName: "Prescott", cpuFlags: avx512), "loop guard")
        XCTAssertNil(BLASEnvironment.reexecCoreType(environment: [:], coreName: "Prescott", cpuFlags: ["sse3"]))
    }

    /// A child launched to compare with this process (a native binary) gets this process's core,
    /// unless the variable already says which: it then inherits that, as this process did.
    func testPinsTheChildToThisProcesssCore() {
        let pinned = BLASEnvironment.pinningCoreType(["PATH": "/bin"], coreName: "Prescott")
        XCTAssertEqual(pinned, ["PATH": "/bin", "OPENBLAS_CORETYPE": "Prescott"])
        XCTAssertEqual(BLASEnvironment.reexecCoreType(environment: pinned, coreName: "Prescott",
                                                      cpuFlags: ["avx512f", "avx2", "fma"]), nil,
                       "a pinned child does not re-execute with other kernels")
        XCTAssertEqual(BLASEnvironment.pinningCoreType(["OPENBLAS_CORETYPE": "Haswell"], coreName: "Prescott"),
                       ["OPENBLAS_CORETYPE": "Haswell"])
        XCTAssertEqual(BLASEnvironment.pinningCoreType([:], coreName: "unknown"), [:])
        XCTAssertEqual(BLASEnvironment.pinningCoreType([:], coreName: ""), [:])
    }

    func testReadsThisMachinesCPUInfo() throws {
        guard let text = BLASEnvironment.readFile("/proc/cpuinfo") else { throw XCTSkip("no /proc/cpuinfo") }
        XCTAssertFalse(BLASEnvironment.cpuFlags(fromCPUInfo: text).isEmpty)
    }
}
