import ConvnetIR
import ConvnetSema
import ConvnetSyntax
import Foundation
import XCTest
@testable import ConvnetTraining

/// A tiny model on tiny synthetic shapes, so a few epochs on the reference interpreter take
/// well under a second each.
let tinyModelText = """
    input 12x12x3
    conv 3x3x4 relu
    maxpool 2
    flatten
    dense 3 softmax
    train {
      data "synthetic:shapes:3:16"
      validation 0.25
      batch 8
      epochs 4
      optimizer adam lr 0.02
      seed 7
    }
    """

/// Parses and checks model text, failing the test on any error.
func checkedModel(_ text: String = tinyModelText, path: String = "tiny.convnet",
                  file: StaticString = #filePath, line: UInt = #line) throws -> CheckedModel {
    let source = SourceFile(path: path, text: text)
    let parsed = Parser.parse(source)
    let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
    let errors = (parsed.diagnostics + sema.diagnostics).filter { $0.severity == .error }
    guard let model = sema.model, errors.isEmpty else {
        XCTFail("model does not check: \(errors)", file: file, line: line)
        throw XCTSkip("model does not check")
    }
    return model
}

/// Trains `model` into `folder` with quiet, plain-line output.
@discardableResult
func train(_ model: CheckedModel, into folder: URL, options: TrainingOptions = TrainingOptions(),
           output: CapturedOutput = CapturedOutput(isTerminal: false), interrupt: InterruptFlag? = nil,
           compiler: any ProgramCompiler = ReferenceCompiler(),
           clock: TrainingClock = ManualClock()) throws -> TrainingResult {
    var options = options
    options.outputDirectory = folder.path
    options.workers = 1
    let trainer = try Trainer(model: ModelDescription(model), options: options, output: output, clock: clock,
                              interrupt: interrupt)
    return try trainer.run(compiler: compiler.compiling(model))
}

// The library takes the runtime's view of a model (`ModelDescription`) and a `ModelCompiler`;
// these tests speak of checked models and IR backends, as the driver does.

extension Predictor {
    static func predict(weights: URL, model: CheckedModel, images: [String], batch: Int = 32) throws -> PredictionReport {
        try predict(weights: weights, model: ModelDescription(model), images: images,
                    compiler: ReferenceCompiler().compiling(model), batch: batch)
    }
}

extension Evaluator {
    static func evaluate(weights: URL, model: CheckedModel, options: TrainingOptions,
                         output: ProgressOutput) throws -> EvaluationReport {
        try evaluate(weights: weights, model: ModelDescription(model), options: options,
                     compiler: ReferenceCompiler().compiling(model), output: output)
    }
}

extension TrainingConfiguration {
    init(model: CheckedModel, options: TrainingOptions) throws {
        try self.init(model: ModelDescription(model), options: options)
    }
}

extension ModelHash {
    static func of(_ model: CheckedModel) -> String { ModelDescription(model).hash }
}

/// Wraps a backend so a test can make the loss of one step NaN, or raise a flag at one step.
struct FaultInjectingCompiler: ProgramCompiler {
    var nanAtRun: Int?
    var interruptAtRun: (run: Int, flag: InterruptFlag)?
    var name: String { "fault-injecting" }

    func compile(_ program: IRProgram) throws -> any ExecutableProgram {
        let inner = try ReferenceCompiler().compile(program)
        guard program.kind == .trainingStep else { return inner }
        return FaultInjectingExecutable(inner: inner, nanAtRun: nanAtRun, interruptAtRun: interruptAtRun)
    }
}

final class FaultInjectingExecutable: ExecutableProgram {
    let inner: any ExecutableProgram
    let nanAtRun: Int?
    let interruptAtRun: (run: Int, flag: InterruptFlag)?
    private var runs = 0
    private let nanLoss = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)

    init(inner: any ExecutableProgram, nanAtRun: Int?, interruptAtRun: (run: Int, flag: InterruptFlag)?) {
        self.inner = inner
        self.nanAtRun = nanAtRun
        self.interruptAtRun = interruptAtRun
        nanLoss.initialize(repeating: .nan)
    }

    deinit { nanLoss.deallocate() }

    var program: IRProgram { inner.program }
    func floats(input name: String) -> UnsafeMutableBufferPointer<Float> { inner.floats(input: name) }
    func int32s(input name: String) -> UnsafeMutableBufferPointer<Int32> { inner.int32s(input: name) }

    func floats(output name: String) -> UnsafeBufferPointer<Float> {
        if name == IRProgram.Names.loss, runs == nanAtRun { return UnsafeBufferPointer(nanLoss) }
        return inner.floats(output: name)
    }

    func run() throws {
        runs += 1
        try inner.run()
        if let i = interruptAtRun, i.run == runs { i.flag.request() }
    }
}

/// Every float of a checkpoint's parameters and slots, by name.
func tensors(of checkpoint: Checkpoint) -> [String: [Float]] {
    var all: [String: [Float]] = [:]
    for (k, v) in checkpoint.parameters { all[k] = v.values }
    for (k, v) in checkpoint.optimizerSlots { all[k] = v.values }
    return all
}

/// A clock that moves on by `tick` seconds every time it is read, so timings are known exactly.
final class TickingClock: TrainingClock {
    let tick: Double
    private(set) var time = 0.0
    init(tick: Double) { self.tick = tick }
    func now() -> Double {
        time += tick
        return time
    }
}
