import ConvnetData
import ConvnetIR
import ConvnetSema
import ConvnetSupport
import ConvnetSyntax
import ConvnetTraining
import TPUEmulator
import Foundation

/// The fuzz targets: each takes any bytes and must return without crashing, hanging or
/// allocating without bound. `convnetc-fuzz` runs them under libFuzzer (`make fuzz`); the
/// `ConvnetFuzzTests` replay the committed corpus and every input that ever crashed (`make test`).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A `.convnet` file through the whole front end: parse, check, render the diagnostics, the
    /// summary table and JSON, lint, and build both IR programs.
    case frontend
    /// A safetensors file decoded and read as a checkpoint (finite weights checked).
    case safetensors
    /// An image file through the JPEG and PNG decoders and the resize to a model's input.
    case images
    /// A TFRecord shard split into records, each parsed as a tf.train.Example.
    case tfrecord
    /// A weights file (Keras 3 `.weights.h5` through libhdf5, or safetensors) imported into a
    /// small model and fitted to it; the seeds are Keras' own files for that model.
    case hdf5

    /// Runs the target on one input.
    public func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .frontend: FuzzTarget.frontend(Array(bytes))
        case .safetensors: FuzzTarget.safetensors(Array(bytes))
        case .images: FuzzTarget.images(bytes)
        case .tfrecord: FuzzTarget.tfrecord(bytes)
        case .hdf5: FuzzTarget.hdf5(bytes)
        }
    }

    static func frontend(_ bytes: [UInt8]) {
        let source = SourceFile(path: "fuzz.convnet", bytes: bytes)
        let parsed = Parser.parse(source)
        let sema = SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics)
        let diagnostics = DiagnosticLimit.capped((parsed.diagnostics + sema.diagnostics).sortedByLocation())
        _ = DiagnosticRenderer.render(diagnostics, in: source)
        guard let model = sema.model, !diagnostics.hasErrors else { return }
        _ = Summary.table(model, name: "fuzz")
        _ = Summary.json(model).serialized(pretty: true)
        let findings = Linter().lint(model, context: LintContext(trainingImages: 2951, machineMemoryBytes: 1 << 34, device: TPUDevice.tpuV2.lintDevice))
        _ = DiagnosticRenderer.render(findings, in: source)
        for batch in [1, 8, model.train.batch] where model.batchProblem(batch) == nil {
            _ = try? IRBuilder.inference(model, batch: batch)
            _ = try? IRBuilder.trainingStep(model, batch: batch, optimizer: model.train.optimizer)
        }
    }

    static func safetensors(_ bytes: [UInt8]) {
        guard let file = try? Safetensors.decode(bytes, file: "fuzz.safetensors") else { return }
        guard let checkpoint = try? Checkpoint(file: file, path: "fuzz.safetensors") else { return }
        _ = try? checkpoint.requireFiniteValues(file: "fuzz.safetensors")
    }

    static func images(_ bytes: UnsafeRawBufferPointer) {
        _ = try? JPEGDecoder().decode(bytes)
        _ = try? PNGDecoder.decode(bytes)
        let shape = ImageShape(height: 8, width: 8, channels: 3)
        var out = [UInt8](repeating: 0, count: shape.elementCount)
        out.withUnsafeMutableBufferPointer { _ = try? ImageDecoder(shape: shape).decode(bytes, into: $0) }
    }

    /// The reader streams from a file, so the input is written to one (per process) first.
    static func tfrecord(_ bytes: UnsafeRawBufferPointer) {
        guard FileManager.default.createFile(atPath: scratchShard, contents: Data(bytes)),
              let reader = try? TFRecordFileReader(path: scratchShard) else { return }
        while let record = reader.next() {
            _ = record.data.withUnsafeBytes { ExampleParser.parse($0) }
        }
        _ = reader.problems.map(\.description)
    }

    /// libhdf5 opens files, so the input is written to one (per process) first. It is read the
    /// way convnetc reads it, in a child process (`HDF5ChildReader`: this executable re-run, or
    /// `convnetc-hdf5-reader` beside the test runner), so a crash inside libhdf5 is the child's
    /// and comes back as a "damaged HDF5 file" error.
    static func hdf5(_ bytes: UnsafeRawBufferPointer) {
        guard let model = weightsModel,
              FileManager.default.createFile(atPath: scratchWeights, contents: Data(bytes)) else { return }
        _ = try? ImportedWeights(url: URL(fileURLWithPath: scratchWeights), model: model)
    }

    /// The model of the h5 seeds (Keras' weights for `samples/one-line.convnet` at 16x16x3).
    static let weightsModel: ModelDescription? = {
        let source = SourceFile(path: "fuzz.convnet", text: "input 16x16x3\nconv 3x3x32 relu\nmaxpool 2\ngap\ndense 5 softmax\n")
        let parsed = Parser.parse(source)
        return SemanticAnalyzer.analyze(parsed.file, parseDiagnostics: parsed.diagnostics).model.map(ModelDescription.init)
    }()

    static let scratchWeights = NSTemporaryDirectory() + "/convnetc-fuzz-\(ProcessInfo.processInfo.processIdentifier).weights.h5"

    static let scratchShard = NSTemporaryDirectory() + "/convnetc-fuzz-\(ProcessInfo.processInfo.processIdentifier).tfrec"
}
