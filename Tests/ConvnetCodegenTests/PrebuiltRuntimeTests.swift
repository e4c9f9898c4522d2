import ConvnetCodegen
import ConvnetTraining
import Foundation
import XCTest

/// Finding the prebuilt runtime, and the linked build's failure path, without compiling.
final class PrebuiltRuntimeTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("convnetc-runtime-\(getpid())-\(name.hashValue)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
        unsetenv("CONVNETC_RUNTIME")
        unsetenv("SWIFTC")
    }

    /// A folder laid out like a release build: the library file and the modules emitted code
    /// imports (empty: nothing here loads them).
    func fakeRelease() throws -> URL {
        let release = dir.appendingPathComponent("release")
        try FileManager.default.createDirectory(at: release.appendingPathComponent("Modules"), withIntermediateDirectories: true)
        for m in SwiftEmitter.imports {
            try Data().write(to: release.appendingPathComponent("Modules/\(m).swiftmodule"))
        }
        try Data("not a library".utf8).write(to: release.appendingPathComponent(PrebuiltRuntime.libraryFile))
        // Linked after its modules were written, as a build does: a busy machine can put the
        // writes above in different clock ticks, so the library's time is set, not left to chance.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(1)],
                                              ofItemAtPath: release.appendingPathComponent(PrebuiltRuntime.libraryFile).path)
        return release
    }

    func testAFolderWithoutTheLibraryOrModulesIsNotARuntime() throws {
        XCTAssertFalse(PrebuiltRuntime(directory: dir).isComplete)
        let release = try fakeRelease()
        XCTAssertTrue(PrebuiltRuntime(directory: release).isComplete)
        try FileManager.default.removeItem(at: release.appendingPathComponent("Modules/ConvnetNativeRuntime.swiftmodule"))
        XCTAssertFalse(PrebuiltRuntime(directory: release).isComplete, "a missing module")
    }

    /// A module rebuilt after the library was linked: the library is stale and not used.
    func testALibraryOlderThanItsModulesIsNotARuntime() throws {
        let release = try fakeRelease()
        let module = release.appendingPathComponent("Modules/ConvnetKernels.swiftmodule").path
        let library = release.appendingPathComponent(PrebuiltRuntime.libraryFile).path
        let fm = FileManager.default
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: library)
        XCTAssertFalse(PrebuiltRuntime(directory: release).isComplete)
        try fm.setAttributes([.modificationDate: Date()], ofItemAtPath: library)
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -30)], ofItemAtPath: module)
        XCTAssertTrue(PrebuiltRuntime(directory: release).isComplete)
    }

    /// A runtime source edited after the library was linked (a debug build's tests finding an
    /// older release build): the library is stale and not used; sources of other modules do
    /// not matter.
    func testALibraryOlderThanTheRuntimeSourcesIsNotARuntime() throws {
        let release = try fakeRelease(), root = dir.appendingPathComponent("checkout"), fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("Sources/ConvnetKernels/Direct"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("Sources/convnetc"), withIntermediateDirectories: true)
        try Data("let runtimeModules = [\"ConvnetNativeRuntime\", \"ConvnetKernels\",\n    \"ConvnetSupport\"]\n".utf8)
            .write(to: root.appendingPathComponent("Package.swift"))
        let kernel = root.appendingPathComponent("Sources/ConvnetKernels/Direct/Kernel.swift")
        let frontEnd = root.appendingPathComponent("Sources/convnetc/main.swift")
        try Data().write(to: kernel)
        try Data().write(to: frontEnd)
        let library = release.appendingPathComponent(PrebuiltRuntime.libraryFile).path
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: kernel.path)
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 600)], ofItemAtPath: frontEnd.path)
        XCTAssertTrue(PrebuiltRuntime(directory: release, sourceRoot: root).isComplete)
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: kernel.path)
        XCTAssertFalse(PrebuiltRuntime(directory: release, sourceRoot: root).isComplete)
        try fm.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 120)], ofItemAtPath: library)
        XCTAssertTrue(PrebuiltRuntime(directory: release, sourceRoot: root).isComplete)
    }

    func testTheEnvironmentChoosesOrDisablesTheRuntime() throws {
        let release = try fakeRelease()
        setenv("CONVNETC_RUNTIME", release.path, 1)
        XCTAssertEqual(PrebuiltRuntime.located()?.directory.path, release.path)
        setenv("CONVNETC_RUNTIME", dir.path, 1)
        XCTAssertNil(PrebuiltRuntime.located(), "a folder without the library")
        setenv("CONVNETC_RUNTIME", "", 1)
        XCTAssertNil(PrebuiltRuntime.located(), "empty disables it")
    }

    func testTheFingerprintChangesWhenTheLibraryIsRelinked() throws {
        let release = try fakeRelease()
        let runtime = PrebuiltRuntime(directory: release)
        let before = try runtime.fingerprint()
        XCTAssertEqual(before, try runtime.fingerprint())
        try Data("another library, longer".utf8).write(to: release.appendingPathComponent(PrebuiltRuntime.libraryFile))
        XCTAssertNotEqual(before, try runtime.fingerprint())
    }

    func testLinkedBuildFailureNamesTheGeneratedFileAndLeavesNoBinary() throws {
        let runtime = PrebuiltRuntime(directory: try fakeRelease())
        let cache = dir.appendingPathComponent("cache")
        setenv("SWIFTC", "false", 1)
        let model = try EmitterGoldenTests.model("input 8x8x3\nconv 3x3x4 relu\ngap\ndense 2 softmax\n",
                                                 path: "/m/small.convnet", input: [8, 8, 3])
        XCTAssertThrowsError(try NativeTarget.build(model: model, options: TrainingOptions(batch: 2), workspaceURL: cache,
                                                    runtime: runtime)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("the native build failed for \(cache.path)/linked/native_small_"), text)
            XCTAssertTrue(text.contains("TrainingStep.swift"), text)
        }
        let folders = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("linked").path)
        XCTAssertEqual(folders.count, 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("linked/\(folders[0])").path)
        XCTAssertEqual(files.sorted(), ["Inference.swift", "Model.swift", "TrainingStep.swift", "main.swift"], "sources only, no binary")
    }
}
