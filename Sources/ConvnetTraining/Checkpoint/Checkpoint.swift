import ConvnetSupport
import Foundation

/// Everything needed to resume training or to run inference: the model's parameters under their
/// Keras names (`conv2d/kernel` (KH,KW,Cin,F), `conv2d/bias` (F), `dense/kernel` (in,out),
/// `dense/bias`, `batch_normalization/gamma|beta|moving_mean|moving_variance`), the optimizer's
/// slot tensors (`optimizer/m/conv2d/kernel`, `optimizer/v/...` for Adam,
/// `optimizer/velocity/...` for SGD) and the run's bookkeeping, stored as a safetensors file so
/// numpy, PyTorch or Keras users can read it without convnetc.
public struct Checkpoint: Sendable {
    /// The version this code writes; files with a newer version are refused.
    public static let formatVersion = 1
    /// The `format` metadata value that marks a convnetc checkpoint.
    public static let formatName = "convnetc-checkpoint"

    /// Model parameters by Keras name.
    public var parameters: [String: CheckpointTensor]
    /// Optimizer slot tensors by full name (`optimizer/<slot>/<parameter>`); each has the shape
    /// of its parameter.
    public var optimizerSlots: [String: CheckpointTensor]
    /// Optimizer steps taken so far (Keras `iterations`).
    public var step: Int
    /// Epochs completed so far.
    public var epoch: Int
    /// The seed the run started from (initialisation, shuffling).
    public var seed: UInt64
    /// Content hash of the model source, so a checkpoint is not loaded into a different model.
    public var modelHash: String
    public var optimizer: OptimizerKind
    /// The learning rate in force when the checkpoint was taken.
    public var learningRate: Double
    /// Class names in label order (index i is label i).
    public var classNames: [String]

    public init(parameters: [String: CheckpointTensor], optimizerSlots: [String: CheckpointTensor] = [:],
                step: Int, epoch: Int, seed: UInt64, modelHash: String, optimizer: OptimizerKind,
                learningRate: Double, classNames: [String]) {
        self.parameters = parameters
        self.optimizerSlots = optimizerSlots
        self.step = step
        self.epoch = epoch
        self.seed = seed
        self.modelHash = modelHash
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.classNames = classNames
    }

    /// The tensor name of `slot` (e.g. "m") for `parameter` (e.g. "conv2d/kernel").
    public static func slotName(_ slot: String, parameter: String) -> String {
        "optimizer/\(slot)/\(parameter)"
    }

    /// The slot tensor `slot` of `parameter`, if stored.
    public func slot(_ slot: String, of parameter: String) -> CheckpointTensor? {
        optimizerSlots[Checkpoint.slotName(slot, parameter: parameter)]
    }

    /// The metadata map written into the safetensors header (all values are strings there).
    public var metadata: [String: String] {
        [
            "format": Checkpoint.formatName,
            "format_version": String(Checkpoint.formatVersion),
            "step": String(step),
            "epoch": String(epoch),
            "seed": String(seed),
            "model_hash": modelHash,
            "optimizer": optimizer.rawValue,
            "learning_rate": "\(learningRate)",
            "class_names": JSON.array(classNames.map { .string($0) }).compactText,
        ]
    }

    /// Writes the checkpoint atomically to `url` (see `AtomicFile`).
    public func save(to url: URL) throws {
        try validate(file: url.path)
        try Safetensors.write(safetensorsTensors(), metadata: metadata, to: url)
    }

    /// The tensors as safetensors entries (parameters and slots alike, F32).
    public func safetensorsTensors() -> [SafetensorsTensor] {
        (parameters.map { ($0.key, $0.value) } + optimizerSlots.map { ($0.key, $0.value) }).map { name, t in
            SafetensorsTensor(name: name, shape: t.shape, floats: t.values)
        }
    }

    /// Checks names, shapes and slot coverage; `save` calls it so a bad checkpoint is never written.
    public func validate(file: String) throws(CheckpointError) {
        func fail(_ m: String) -> CheckpointError { CheckpointError(file: file, message: m) }
        for (name, t) in parameters {
            guard !name.hasPrefix("optimizer/") else { throw fail("parameter '\(name)' uses the reserved prefix optimizer/") }
            guard t.shape.allSatisfy({ $0 >= 0 }), t.shape.reduce(1, *) == t.values.count else {
                throw fail("parameter '\(name)' has shape \(t.shape) but \(t.values.count) values")
            }
        }
        for (name, t) in optimizerSlots {
            let (slot, parameter) = try Checkpoint.splitSlotName(name, file: file)
            guard optimizer.slotNames.contains(slot) else {
                throw fail("slot '\(name)' is not a slot of \(optimizer.rawValue) (\(optimizer.slotNames.joined(separator: ", ")))")
            }
            guard let p = parameters[parameter] else { throw fail("slot '\(name)' belongs to no parameter") }
            guard p.shape == t.shape, t.values.count == p.values.count else {
                throw fail("slot '\(name)' has shape \(t.shape) but its parameter has \(p.shape)")
            }
        }
        guard step >= 0, epoch >= 0 else { throw fail("step and epoch must not be negative") }
    }

    /// `optimizer/<slot>/<parameter>` -> (slot, parameter).
    static func splitSlotName(_ name: String, file: String) throws(CheckpointError) -> (String, String) {
        let parts = name.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "optimizer", !parts[1].isEmpty, !parts[2].isEmpty else {
            throw CheckpointError(file: file, message: "'\(name)' is not of the form optimizer/<slot>/<parameter>")
        }
        return (String(parts[1]), String(parts[2]))
    }
}
