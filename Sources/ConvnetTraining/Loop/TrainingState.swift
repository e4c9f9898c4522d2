import ConvnetInterface
import Foundation

/// What the loop carries from one epoch to the next: every weight and optimizer slot under its
/// IR input name (`conv2d/kernel`, `conv2d/kernel/m`), the optimizer steps taken and the epochs
/// completed. It converts to and from a `Checkpoint` (where slots are `optimizer/m/conv2d/kernel`)
/// and moves in and out of an executable by name.
public struct TrainingState: Sendable {
    /// Weights and slots by IR name, row-major in Keras layout.
    public var tensors: [String: [Float]]
    /// Optimizer steps taken (the next step's Adam `t` is `step + 1`).
    public var step: Int
    /// Epochs completed.
    public var epoch: Int

    public init(tensors: [String: [Float]], step: Int, epoch: Int) {
        self.tensors = tensors
        self.step = step
        self.epoch = epoch
    }

    /// A fresh state for `program`: initialised weights, zero slots, step 0, epoch 0.
    public static func initial(for program: ProgramInterface, seed: UInt64) -> TrainingState {
        var tensors = ParameterInitializer.initialValues(program.parameters, seed: seed)
        for slot in program.optimizerSlots { tensors[slot.name] = [Float](repeating: 0, count: slot.elementCount) }
        return TrainingState(tensors: tensors, step: 0, epoch: 0)
    }

    /// Splits an IR slot name `conv2d/kernel/m` into (slot `m`, parameter `conv2d/kernel`).
    static func splitSlot(_ name: String) -> (slot: String, parameter: String) {
        let cut = name.lastIndex(of: "/")!
        return (String(name[name.index(after: cut)...]), String(name[..<cut]))
    }

    /// Reads the state of `program`'s weights and slots from a checkpoint, checking that every
    /// one is present with the right shape.
    public init(checkpoint: Checkpoint, program: ProgramInterface, path: String) throws(TrainingError) {
        try self.init(checkpoint: checkpoint, parameters: program.parameters, optimizerSlots: program.optimizerSlots,
                      path: path)
    }

    /// Reads `parameters` and `optimizerSlots` from a checkpoint, checking (`WeightsFit`) that
    /// every weight is present with the right shape, none is extra, all are finite, and every
    /// slot is present.
    public init(checkpoint: Checkpoint, parameters: [ParameterInfo], optimizerSlots: [ParameterInfo],
                path: String) throws(TrainingError) {
        let problems = WeightsFit.problems(expected: parameters, found: checkpoint.parameters.keys.sorted().map {
            WeightsFit.Found(name: $0, shape: checkpoint.parameters[$0]!.shape)
        })
        guard problems.isEmpty else {
            throw .incompatibleCheckpoint(checkpoint: path, detail: problems.count == 1 ? problems[0]
                : "\(problems.count) problems:\n" + problems.map { "  " + $0 }.joined(separator: "\n"))
        }
        if let problem = WeightsFit.nonFinite(parameters.map(\.name), values: { checkpoint.parameters[$0]!.values }) {
            throw .incompatibleCheckpoint(checkpoint: path, detail: problem)
        }
        var tensors: [String: [Float]] = [:]
        for p in parameters { tensors[p.name] = checkpoint.parameters[p.name]!.values }
        for s in optimizerSlots {
            let (slot, parameter) = TrainingState.splitSlot(s.name)
            guard let t = checkpoint.slot(slot, of: parameter), t.shape == s.shape else {
                throw .incompatibleCheckpoint(checkpoint: path,
                    detail: "it has no optimizer slot '\(Checkpoint.slotName(slot, parameter: parameter))' of shape \(s.shape)")
            }
            tensors[s.name] = t.values
        }
        self.init(tensors: tensors, step: checkpoint.step, epoch: checkpoint.epoch)
    }

    /// The checkpoint of this state for `program` (its weights under Keras names, its slots under
    /// `optimizer/<slot>/<weight>`).
    public func checkpoint(program: ProgramInterface, seed: UInt64, modelHash: String, optimizer: OptimizerKind,
                           learningRate: Double, classNames: [String]) -> Checkpoint {
        var parameters: [String: CheckpointTensor] = [:]
        for p in program.parameters { parameters[p.name] = CheckpointTensor(shape: p.shape, values: tensors[p.name]!) }
        var slots: [String: CheckpointTensor] = [:]
        for s in program.optimizerSlots {
            let (slot, parameter) = TrainingState.splitSlot(s.name)
            slots[Checkpoint.slotName(slot, parameter: parameter)] = CheckpointTensor(shape: s.shape, values: tensors[s.name]!)
        }
        return Checkpoint(parameters: parameters, optimizerSlots: slots, step: step, epoch: epoch, seed: seed,
                          modelHash: modelHash, optimizer: optimizer, learningRate: learningRate,
                          classNames: classNames)
    }

    /// Writes every tensor the executable declares as an input (weights; slots in a training
    /// step) into it. Tensors it does not take (slots, for an inference program) are skipped.
    public func load(into executable: any CompiledProgram) {
        let program = executable.interface
        for p in program.parameters + program.optimizerSlots {
            let values = tensors[p.name]!
            let target = executable.floats(input: p.name)
            precondition(target.count == values.count, "\(p.name): executable holds \(target.count) values, state \(values.count)")
            _ = target.update(fromContentsOf: values)
        }
    }

    /// Reads the current weights and slots back from an executable's inputs (after `feedBack`).
    public mutating func read(from executable: any CompiledProgram) {
        let program = executable.interface
        for p in program.parameters + program.optimizerSlots {
            tensors[p.name] = Array(executable.floats(input: p.name))
        }
    }

    /// The first weight or slot holding a NaN or an infinity, if any.
    public func firstNonFiniteTensor() -> String? {
        tensors.keys.sorted().first { name in tensors[name]!.contains { !$0.isFinite } }
    }
}

/// Copies each weight `destination` takes from `source`'s inputs by name (training step ->
/// inference program after an epoch).
public func copyWeights(from source: any CompiledProgram, to destination: any CompiledProgram) {
    for p in destination.interface.parameters {
        _ = destination.floats(input: p.name).update(fromContentsOf: source.floats(input: p.name))
    }
}
