import ConvnetCodegen
import ConvnetSema
import ConvnetTraining
import Foundation
import XCTest

/// The emitted package on disk and the build's failure path, without running SwiftPM.
final class NativeWorkspaceTests: XCTestCase {
    func model() throws -> CheckedModel {
        try EmitterGoldenTests.model("input 8x8x3\nconv 3x3x4 relu\ngap\ndense 2 softmax\n", path: "/m/small.convnet", input: [8, 8, 3])
    }

    func testEmitWritesABuildablePackageLayout() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convnetc-emit-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try NativeTarget.emit(model: try model(), to: dir, options: TrainingOptions(batch: 2))
        XCTAssertEqual(files.map { $0.lastPathComponent }.sorted(),
                       ["Inference.swift", "Model.swift", "Package.swift", "TrainingStep.swift", "main.swift"])
        for f in files { XCTAssertTrue(FileManager.default.fileExists(atPath: f.path), f.path) }
        let manifest = try String(contentsOf: dir.appendingPathComponent("Package.swift"), encoding: .utf8)
        XCTAssertTrue(manifest.contains(".executableTarget(name: \"native_small\""), manifest)
        // The runtime is convnetc's own product, by path: no copy of any library source.
        let root = NativeWorkspace.defaultSourceRoot.standardizedFileURL
        XCTAssertTrue(manifest.contains(".package(path: \"\(root.path)\")"), manifest)
        XCTAssertTrue(manifest.contains(".product(name: \"ConvnetRuntime\", package: \"\(root.lastPathComponent)\")"), manifest)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("Sources/ConvnetKernels").path))
    }

    func testBuildFailureNamesTheGeneratedFileAndShowsTheOutput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convnetc-fail-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        setenv("SWIFT_EXEC_BUILD", "false", 1)
        defer { unsetenv("SWIFT_EXEC_BUILD") }
        XCTAssertThrowsError(try NativeTarget.build(model: try model(), options: TrainingOptions(batch: 2), workspaceURL: dir)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("the native build failed for \(dir.path)/Sources/native_small_"), text)
            XCTAssertTrue(text.contains("TrainingStep.swift"), text)
        }
    }
}
