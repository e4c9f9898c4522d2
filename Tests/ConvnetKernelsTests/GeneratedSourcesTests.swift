import Foundation
import XCTest

/// `MicroKernels.swift` is written by `scripts/gen_microkernels.py` (`make generate`): the
/// committed file must be exactly what the generator prints, so nobody edits it by hand and a
/// generator change is never left unapplied.
final class GeneratedSourcesTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testMicroKernelsMatchTheirGenerator() throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python else { throw XCTSkip("python3 not found: cannot check MicroKernels.swift against its generator") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.repo.appendingPathComponent("scripts/gen_microkernels.py").path, "--stdout"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let generated = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "the generator failed")
        let committed = try Data(contentsOf: Self.repo.appendingPathComponent("Sources/ConvnetKernels/Direct/MicroKernels.swift"))
        XCTAssertGreaterThan(generated.count, 100_000)
        XCTAssertTrue(generated == committed,
                      "Sources/ConvnetKernels/Direct/MicroKernels.swift differs from scripts/gen_microkernels.py's output: run `make generate`")
    }
}
