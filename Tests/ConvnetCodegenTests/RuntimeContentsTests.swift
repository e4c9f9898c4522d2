import ConvnetCodegen
import ConvnetTraining
import Foundation
import XCTest

/// What a native program is made of: its generated files and the runtime library, with no part
/// of the compiler (lexer, parser, semantic pass, IR builder, optimizer) in either.
final class RuntimeContentsTests: XCTestCase {
    static let compilerModules: Set<String> = ["ConvnetSyntax", "ConvnetSema", "ConvnetIR", "ConvnetOptimizer",
                                                "ConvnetCPU", "ConvnetCodegen", "ConvnetDriver", "TPUEmulator"]

    /// `runtimeModules` as `Package.swift` lists them (the `ConvnetRuntime` product).
    static func runtimeModules() throws -> [String] {
        let manifest = try String(contentsOf: EmitterGoldenTests.repo.appendingPathComponent("Package.swift"), encoding: .utf8)
        let start = try XCTUnwrap(manifest.range(of: "let runtimeModules = ["))
        let list = manifest[start.upperBound...].prefix { $0 != "]" }
        return list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines.union(["\""])) }
            .filter { !$0.isEmpty }
    }

    /// The modules `file` imports.
    static func imports(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                  words[..<i].allSatisfy({ $0.hasPrefix("@") || ["public", "internal", "private"].contains($0) }) else { return nil }
            return String(words[i + 1])
        })
    }

    /// Every Swift file of a runtime module imports only runtime modules, system modules and
    /// ArgumentParser: the library closes over itself without the compiler.
    func testTheRuntimeLibraryHoldsNoCompilerModule() throws {
        let runtime = try Self.runtimeModules()
        XCTAssertTrue(runtime.contains("ConvnetNativeRuntime"), "\(runtime)")
        XCTAssertTrue(Self.compilerModules.isDisjoint(with: runtime), "\(runtime)")
        let allowed = Set(runtime + ["CBLAS", "CJPEG", "CPNG", "CHDF5", "ArgumentParser", "Foundation", "FoundationEssentials",
                                     "Glibc", "Darwin", "Synchronization", "Dispatch"])
        for module in runtime {
            let dir = EmitterGoldenTests.repo.appendingPathComponent("Sources/\(module)")
            let files = try XCTUnwrap(FileManager.default.enumerator(atPath: dir.path)).compactMap { $0 as? String }
                .filter { $0.hasSuffix(".swift") }
            XCTAssertFalse(files.isEmpty, module)
            for file in files {
                let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                let outside = Self.imports(text).subtracting(allowed)
                XCTAssertTrue(outside.isEmpty, "\(module)/\(file) imports \(outside.sorted())")
            }
        }
    }

    /// `--emit-swift` for samples/flowers.convnet: the generated files and a manifest that
    /// depends on the runtime product, and nothing else; the files import only runtime modules.
    func testTheEmittedFlowersPackageHoldsOnlyGeneratedFiles() throws {
        let path = EmitterGoldenTests.repo.appendingPathComponent("samples/flowers.convnet").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let model = try EmitterGoldenTests.model(text, path: path, input: [192, 192, 3])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("convnetc-flowers-emit-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try NativeTarget.emit(model: model, to: dir, options: TrainingOptions(batch: 32))
        let all = try XCTUnwrap(FileManager.default.enumerator(atPath: dir.path)).compactMap { $0 as? String }
            .filter { !FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).path + "/.") }.sorted()
        XCTAssertEqual(all, ["Package.resolved", "Package.swift",
                             "Sources/native_flowers/Inference.swift", "Sources/native_flowers/Model.swift",
                             "Sources/native_flowers/TrainingStep.swift", "Sources/native_flowers/main.swift"]
                            .filter { $0 != "Package.resolved" || FileManager.default.fileExists(atPath: EmitterGoldenTests.repo.appendingPathComponent($0).path) })
        let runtime = Set(try Self.runtimeModules())
        for file in all where file.hasSuffix(".swift") && file.hasPrefix("Sources/") {
            let source = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            let outside = Self.imports(source).subtracting(runtime).subtracting(["Foundation"])
            XCTAssertTrue(outside.isEmpty, "\(file) imports \(outside.sorted())")
            if !file.hasSuffix("TrainingStep.swift"), !file.hasSuffix("Inference.swift") {  // those quote lines in comments
                XCTAssertFalse(source.contains("conv 3x3"), "\(file) carries the model's text")
            }
        }
        let manifest = try String(contentsOf: dir.appendingPathComponent("Package.swift"), encoding: .utf8)
        XCTAssertEqual(manifest.components(separatedBy: ".product(name:").count - 1, 1, manifest)
        XCTAssertTrue(manifest.contains(".product(name: \"ConvnetRuntime\""), manifest)
    }
}
