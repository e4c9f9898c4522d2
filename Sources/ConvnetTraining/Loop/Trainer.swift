import ConvnetSupport
import ConvnetData
import ConvnetInterface
import Foundation

/// `convnetc FILE --run`: trains a checked model on its dataset with any backend.
///
/// One run: load (decode) the dataset, build the training-step and inference programs, compile
/// both with `compiler`, initialise the weights from the seed (or load the latest checkpoint with
/// `--resume`), then per epoch: shuffled fixed-size batches (the last partial batch dropped),
/// augmentation, one compiled step per batch with the schedule's learning rate, a validation pass
/// with the inference program over the whole validation split, a progress line, a metrics line,
/// curves, summary and an atomic checkpoint. At the end: the confusion matrix and
/// `model.safetensors`.
///
/// Determinism: weights come from `(seed, parameter)`, batch order from `(seed, epoch)`,
/// augmentation from `(seed, epoch, image)`, dropout from `(seed, step)`, so a resumed run ends
/// bit for bit where an uninterrupted one does (with a deterministic backend).
///
/// Ctrl-C (`interrupt`): the loop stops before the next step and keeps the checkpoint of the last
/// completed epoch (already on disk); the partial epoch is discarded and `--resume` replays it.
/// A NaN or infinite loss throws `TrainingError.nonFiniteLoss` without writing anything, so the
/// last good checkpoint stays the newest one.
public struct Trainer {
    public let model: ModelDescription
    public let configuration: TrainingConfiguration
    public let output: ProgressOutput
    public let clock: TrainingClock
    /// Checked between steps; nil to ignore Ctrl-C.
    public let interrupt: InterruptFlag?
    /// Epoch checkpoints kept besides the best one (older ones are deleted).
    public var keepCheckpoints = 3

    public init(model: ModelDescription, options: TrainingOptions, output: ProgressOutput = StandardOutput(),
                clock: TrainingClock = SystemClock(), interrupt: InterruptFlag? = nil) throws(TrainingError) {
        self.model = model
        self.configuration = try TrainingConfiguration(model: model, options: options)
        self.output = output
        self.clock = clock
        self.interrupt = interrupt
    }

    /// Trains. Throws `TrainingError` (data, resume, NaN), `CheckpointError`/`SafetensorsError`
    /// (an unreadable checkpoint) and the compiler's errors.
    public func run(compiler: any ModelCompiler) throws -> TrainingResult {
        let config = configuration
        let modelHash = model.hash
        let startedAt = clock.now()
        let run = try RunDirectory(url: config.outputDirectory)
        // One run per folder at a time, and a new run never replaces an earlier one unasked.
        let lock = try RunLock(folder: run.url)
        defer { lock.release() }
        try RunFolderGuard.check(run, resume: config.resume, overwrite: config.overwrite)
        try run.removeStaleTemporaries()

        // Where to start: a checkpoint (resume) or the seed.
        var resumed: (checkpoint: Checkpoint, url: URL)?
        if config.resume {
            guard let latest = try run.latestCheckpoint() else { throw TrainingError.nothingToResume(folder: run.url.path) }
            let checkpoint = try Checkpoint.load(from: latest.url)
            try ResumeConsistency.check(checkpoint, fileEpoch: latest.epoch, path: latest.url.path)
            guard checkpoint.modelHash == modelHash else {
                throw TrainingError.modelMismatch(checkpoint: latest.url.path, expected: modelHash, found: checkpoint.modelHash)
            }
            guard checkpoint.optimizer == config.optimizerKind else {
                throw TrainingError.optimizerMismatch(checkpoint: latest.url.path, saved: checkpoint.optimizer.rawValue,
                                                      configured: config.optimizerKind.rawValue)
            }
            resumed = (checkpoint, latest.url)
        }
        let seed = resumed?.checkpoint.seed ?? config.seed
        // `--init-from`: read and checked before anything is compiled or decoded.
        let initial = try config.initFrom.map { url in try ImportedWeights(url: url, model: model) }

        // The programs first: a setting the target cannot run (say a batch the emulated cores
        // cannot split) is reported before the images are decoded.
        let trainer = try compiler.trainingStep(batch: config.batch, optimizer: config.optimizer)
        let evaluator = try compiler.inference(batch: config.batch)
        let trainProgram = trainer.interface
        var state = try resumed.map { r throws(TrainingError) in
            try TrainingState(checkpoint: r.checkpoint, program: trainProgram, path: r.url.path)
        } ?? TrainingState.initial(for: trainProgram, seed: seed)
        if let initial { state.start(from: initial) }
        state.load(into: trainer)

        let dataset = try DataSourceLoading.open(configuration: config, model: model, seed: seed,
                                                 output: output, clock: clock)
        if let saved = resumed?.checkpoint.classNames ?? initial?.classNames, !saved.isEmpty, saved != dataset.classNames {
            throw TrainingError.classMismatch("the checkpoint was trained on classes \(saved) but the dataset has \(dataset.classNames)")
        }
        let stepsPerEpoch = dataset.count(.training) / config.batch
        guard stepsPerEpoch >= 1 else {
            throw TrainingError.invalidOption("batch \(config.batch) is larger than the \(dataset.count(.training)) training images\n"
                + "help: pass a smaller --batch (every step uses a full batch)")
        }

        if let r = resumed {
            try ResumeConsistency.check(r.checkpoint, stepsPerEpoch: stepsPerEpoch, batch: config.batch, path: r.url.path)
        }

        // A fresh run (with --overwrite: `RunFolderGuard` refused it otherwise) must not leave an
        // older run's later epochs for a future --resume. This happens only now that the data loaded and the programs compiled, so a run that fails
        // to start never destroys the previous run's results.
        if resumed == nil {
            for old in try run.checkpoints() { try FileManager.default.removeItem(at: old.url) }
            try? FileManager.default.removeItem(at: run.finalWeights)
        }

        let recorder = try TrainingRecorder(run: run, title: "\(model.name) on \(dataset.source)",
                                            resumingAfterEpoch: resumed?.checkpoint.epoch)
        recorder.skipped = dataset.skipped.count
        recorder.facts = RunFacts(model: model.path, parameters: model.parameterCount, macs: model.macs, backend: compiler.name)
        let earlierWall = resumed == nil ? 0 : RunFacts.earlierWallSeconds(in: run.summary)
        recorder.wallClock = { [clock] in earlierWall + clock.now() - startedAt }
        if let r = resumed {
            output.write("Resuming from \(r.url.path) (epoch \(r.checkpoint.epoch), step \(r.checkpoint.step))\n")
            if r.checkpoint.seed != config.seed {
                output.write("note: continuing with the checkpoint's seed \(r.checkpoint.seed), not \(config.seed), "
                    + "so the run stays the one that was interrupted\n")
            }
        }
        if let initial {
            output.write("Starting from the weights of \(initial.url.path) (\(initial.format.rawValue)), fresh optimizer state\n")
        }
        output.write("Training on \(dataset.count(.training)) images, validating on \(dataset.count(.validation)) "
            + "(\(dataset.classNames.count) classes), batch \(config.batch), \(stepsPerEpoch) steps per epoch, "
            + "backend \(compiler.name)\n")

        var loop = EpochLoop(trainer: trainer, evaluator: evaluator, dataset: dataset, configuration: config,
                             seed: seed, stepsPerEpoch: stepsPerEpoch, output: output, clock: clock, interrupt: interrupt)
        var lastValidation: ValidationResult?
        var lastCheckpoint = try run.latestCheckpoint()?.url
        func makeCheckpoint(_ s: TrainingState, epochIndex: Int) -> Checkpoint {
            s.checkpoint(program: trainProgram, seed: seed, modelHash: modelHash, optimizer: config.optimizerKind,
                         learningRate: config.schedule.rate(epoch: epochIndex), classNames: dataset.classNames)
        }

        let firstEpochIndex = state.epoch
        while state.epoch < config.epochs {
            let epochIndex = state.epoch
            let outcome: EpochLoop.Outcome
            do {
                outcome = try loop.runEpoch(&state)
            } catch let error as TrainingError {
                // The last good epoch's pictures (its weights are the checkpoint left on disk).
                if let v = lastValidation, v.count > 0 { _ = try? ValidationReports.write(v, to: run.url, title: recorder.title) }
                try recorder.finish(stopReason: "non-finite loss")
                if case .nonFiniteLoss(let message, _) = error {
                    throw TrainingError.nonFiniteLoss(message: message, lastGoodCheckpoint: lastCheckpoint?.path)
                }
                throw error
            }
            guard case .finished(let metrics, let validation) = outcome else {
                if let v = lastValidation, v.count > 0 { try ValidationReports.write(v, to: run.url, title: recorder.title) }
                try recorder.finish(stopReason: "interrupted")
                let advice = lastCheckpoint.map { "the checkpoint of epoch \(epochIndex) is \($0.path); run again with --resume to continue from it" }
                    ?? "no epoch finished, so there is nothing to resume; run again to start over"
                let message = "Interrupted during epoch \(epochIndex + 1): \(advice)"
                output.write(message + "\n")
                return TrainingResult(outcome: .interrupted, epochs: recorder.epochs, runDirectory: run.url,
                                      finalWeights: nil, lastCheckpoint: lastCheckpoint,
                                      confusion: nil, state: state, message: message)
            }
            lastValidation = validation
            try recorder.record(metrics)
            if epochIndex == firstEpochIndex, state.epoch < config.epochs {
                output.write(RunForecast.line(epochSeconds: metrics.seconds, epochsLeft: config.epochs - state.epoch) + "\n")
            }
            let url = run.checkpoint(epoch: state.epoch)
            try makeCheckpoint(state, epochIndex: epochIndex).save(to: url)
            lastCheckpoint = url
            let best = TrainingSummary(epochs: recorder.epochs, stopReason: "running").bestEpoch?.epoch
            try run.pruneCheckpoints(keepingLast: keepCheckpoints, alsoKeeping: best.map { [$0] } ?? [])
        }

        // The end: confusion matrix of the final weights, final weights file, summary.
        if lastValidation == nil, dataset.count(.validation) > 0 {
            copyWeights(from: trainer, to: evaluator)
            lastValidation = try ValidationPass.run(evaluator, dataset: dataset)
        }
        if let v = lastValidation, v.count > 0 {
            try ValidationReports.write(v, to: run.url, title: recorder.title)
            output.write("Confusion matrix on the \(v.count) validation images:\n" + v.confusion.render())
            output.write("Pictures: confusion.svg, predictions.svg; the \(v.predictions.misclassified.count) misclassified images "
                + "are listed in misclassified.txt\n")
        }
        try makeCheckpoint(state, epochIndex: max(0, state.epoch - 1)).save(to: run.finalWeights)
        recorder.skipped = dataset.skipped.count
        try recorder.finish(stopReason: "completed")
        let message = "Saved \(run.finalWeights.path); metrics, curves.svg and summary.json are in \(run.url.path)"
        output.write(message + "\n")
        return TrainingResult(outcome: .completed, epochs: recorder.epochs, runDirectory: run.url,
                              finalWeights: run.finalWeights, lastCheckpoint: lastCheckpoint,
                              confusion: lastValidation?.confusion, state: state, message: message)
    }
}
