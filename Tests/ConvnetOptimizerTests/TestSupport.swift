import ConvnetTestSupport
import Foundation
import XCTest
import ConvnetIR
import ConvnetSema
import ConvnetSyntax
@testable import ConvnetOptimizer

/// Paths found from this file's location, so no resources are declared.
enum TestPaths {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repoRoot = here.deletingLastPathComponent().deletingLastPathComponent()
    static let samples = repoRoot.appendingPathComponent("samples")
    static let golden = here.appendingPathComponent("Golden")

    /// Every sample's base name (`flowers`), sorted: every sample, the branching ones
    /// included, compiles to IR.
    static func sampleNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: samples.path)
            .filter { $0.hasSuffix(".convnet") }.map { String($0.dropLast(".convnet".count)) }.sorted()
    }
}

/// Parses and checks model text; fails the test on any error.
func checkedModel(_ text: String, path: String = "test.convnet", file: StaticString = #filePath,
                  line: UInt = #line) throws -> CheckedModel {
    let parsed = Parser.parse(SourceFile(path: path, text: text))
    let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
    let errors = (parsed.diagnostics + sema.diagnostics).filter { $0.severity == .error }
    XCTAssertEqual(errors.map(\.message), [], file: file, line: line)
    return try XCTUnwrap(sema.model, file: file, line: line)
}

/// A sample model by base name.
func sampleModel(_ name: String) throws -> CheckedModel {
    let url = TestPaths.samples.appendingPathComponent(name + ".convnet")
    return try checkedModel(String(contentsOf: url, encoding: .utf8), path: url.path)
}

/// The verifier's messages (empty when the graph is well formed).
func verifierMessages(_ g: Graph) -> [String] { Verifier.verify(g).map(\.message) }

/// Random values for every input of `program` (weights, slots, images, labels, step, rate, seed).
func randomInputs(_ program: IRProgram, seed: UInt64 = 3) -> [String: Tensor<Double>] {
    var rng = TestRandom(state: seed)
    var inputs: [String: Tensor<Double>] = [:]
    for input in program.graph.inputs {
        let name = input.name!
        let t = input.type
        let scalars: [Double]
        switch name {
        case IRProgram.Names.labels:
            // The test models all have 3 classes.
            scalars = (0..<t.elementCount).map { i in Double((i * 7 + 1) % 3) }
        case IRProgram.Names.step: scalars = [3]
        case IRProgram.Names.learningRate: scalars = [0.05]
        case IRProgram.Names.dropoutSeed: scalars = [11]
        default:
            if name.hasSuffix("/v") || name.hasSuffix("moving_variance") {
                scalars = (0..<t.elementCount).map { _ in rng.uniform(0.01, 0.5) }
            } else {
                scalars = (0..<t.elementCount).map { _ in rng.uniform(-0.6, 0.6) }
            }
        }
        inputs[name] = Tensor(t.element, shape: t.shape, scalars: scalars)
    }
    return inputs
}
