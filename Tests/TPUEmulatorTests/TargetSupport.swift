import ConvnetIR
import ConvnetSema
import ConvnetSyntax
import ConvnetTraining
import Foundation
import XCTest

/// A small model with every kind of state the TPU target must carry: convolutions (lowered to
/// im2col + MXU matmuls), batch norm (moving statistics), dropout (per-core seeds), dense.
let targetModelText = """
    input 10x10x3
    conv 3x3x8 relu
    batchnorm
    maxpool 2
    conv 3x3x12 relu
    gap
    dropout 0.25
    dense 4 softmax
    train {
      data "synthetic:shapes:4:16"
      validation 0.25
      batch 8
      epochs 3
      optimizer adam lr 0.01
      seed 5
    }
    """

/// Parses and checks model text, failing the test on any error.
func targetModel(_ text: String = targetModelText, file: StaticString = #filePath, line: UInt = #line) throws -> CheckedModel {
    let parsed = Parser.parse(SourceFile(path: "target.convnet", text: text))
    let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
    let errors = (parsed.diagnostics + sema.diagnostics).filter { $0.severity == .error }
    guard let model = sema.model, errors.isEmpty else {
        XCTFail("model does not check: \(errors)", file: file, line: line)
        throw XCTSkip("model does not check")
    }
    return model
}

/// Writes seeded weights (`TrainingState.initial`), random images in [-1, 1) and labels into
/// `executable`, the same for every executable given the same seed.
func feed(_ executable: any ExecutableProgram, program: IRProgram, classes: Int, seed: UInt64) {
    TrainingState.initial(for: program.interface, seed: seed).load(into: executable)
    var rng = SplitMix64(seed: seed &+ 99)
    let images = executable.floats(input: IRProgram.Names.images)
    for i in images.indices { images[i] = rng.float() }
    if executable.hasInput(IRProgram.Names.labels) {
        let labels = executable.int32s(input: IRProgram.Names.labels)
        for i in labels.indices { labels[i] = Int32(rng.next() % UInt64(classes)) }
    }
    if executable.hasInput(IRProgram.Names.dropoutSeed) {
        executable.int32s(input: IRProgram.Names.dropoutSeed)[0] = 17
    }
    if program.kind == .trainingStep {
        executable.setScalar(IRProgram.Names.step, 1)
        executable.setScalar(IRProgram.Names.learningRate, 0.01)
    }
}

/// The largest |x - y| / max(|y|, floor) over two equally long buffers.
func maxRelativeDifference(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>, floor: Float = 1e-2) -> Float {
    precondition(x.count == y.count, "lengths differ")
    var worst: Float = 0
    for i in x.indices { worst = max(worst, abs(x[i] - y[i]) / max(abs(y[i]), floor)) }
    return worst
}
