import ConvnetSupport
import Foundation

extension Checkpoint {
    /// Reads and validates a checkpoint written by `save(to:)`.
    /// Throws `SafetensorsError` for a damaged file and `CheckpointError` for a well-formed file
    /// that is not a convnetc checkpoint (missing metadata, newer format, wrong dtypes...).
    /// Weights with a NaN or an infinity are refused here, naming the tensor (`FiniteWeights`).
    public static func load(from url: URL) throws -> Checkpoint {
        let checkpoint = try Checkpoint(file: Safetensors.read(from: url), path: url.path)
        try checkpoint.requireFiniteValues(file: url.path)
        return checkpoint
    }

    /// Builds a checkpoint from an already decoded safetensors file; `path` names it in errors.
    public init(file: SafetensorsFile, path: String) throws(CheckpointError) {
        func fail(_ m: String) -> CheckpointError { CheckpointError(file: path, message: m) }
        let meta = file.metadata
        func field(_ key: String) throws(CheckpointError) -> String {
            guard let v = meta[key] else { throw fail("metadata has no '\(key)'") }
            return v
        }
        guard try field("format") == Checkpoint.formatName else {
            throw fail("metadata 'format' is '\(meta["format"] ?? "")', expected '\(Checkpoint.formatName)'")
        }
        guard let version = Int(try field("format_version")), version >= 1 else {
            throw fail("metadata 'format_version' is not a positive integer")
        }
        guard version <= Checkpoint.formatVersion else {
            throw fail("format version \(version) is newer than this convnetc reads (\(Checkpoint.formatVersion)); update convnetc")
        }
        guard let step = Int(try field("step")) else { throw fail("metadata 'step' is not an integer") }
        guard let epoch = Int(try field("epoch")) else { throw fail("metadata 'epoch' is not an integer") }
        guard let seed = UInt64(try field("seed")) else { throw fail("metadata 'seed' is not an unsigned integer") }
        guard let optimizer = OptimizerKind(rawValue: try field("optimizer")) else {
            throw fail("metadata 'optimizer' is '\(meta["optimizer"] ?? "")', expected one of adam, sgd")
        }
        guard let lr = Double(try field("learning_rate")) else { throw fail("metadata 'learning_rate' is not a number") }
        let classNames: [String]
        do {
            guard case let .array(items) = try JSONParser.parse(try field("class_names")) else {
                throw fail("metadata 'class_names' is not a JSON list")
            }
            classNames = try items.map { item throws(CheckpointError) in
                guard case let .string(s) = item else { throw fail("metadata 'class_names' must hold strings") }
                return s
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw fail("metadata 'class_names' is not valid JSON (\(error))")
        }

        var parameters: [String: CheckpointTensor] = [:]
        var slots: [String: CheckpointTensor] = [:]
        for t in file.tensors {
            guard let values = t.floats else { throw fail("tensor '\(t.name)' is \(t.dtype.rawValue), expected F32") }
            let tensor = CheckpointTensor(shape: t.shape, values: values)
            if t.name.hasPrefix("optimizer/") { slots[t.name] = tensor } else { parameters[t.name] = tensor }
        }
        self.init(parameters: parameters, optimizerSlots: slots, step: step, epoch: epoch, seed: seed,
                  modelHash: try field("model_hash"), optimizer: optimizer, learningRate: lr,
                  classNames: classNames)
        try validate(file: path)
    }
}
