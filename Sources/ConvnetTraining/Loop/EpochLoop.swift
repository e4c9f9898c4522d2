import ConvnetData
import ConvnetInterface

/// One epoch of training and validation on compiled programs: the inner loop of `Trainer`.
struct EpochLoop {
    enum Outcome {
        /// The epoch ran to the end: its metrics and its validation pass (nil without a split).
        case finished(EpochMetrics, ValidationResult?)
        /// Ctrl-C before the epoch ended; `state` was left as it was.
        case interrupted
    }

    let trainer: any CompiledProgram
    let evaluator: any CompiledProgram
    let dataset: any DataSource
    let configuration: TrainingConfiguration
    let seed: UInt64
    let stepsPerEpoch: Int
    let output: ProgressOutput
    let clock: TrainingClock
    let interrupt: InterruptFlag?

    /// Runs epoch `state.epoch` (0-based) and, when it finishes, advances `state` to its end.
    /// Throws `TrainingError.nonFiniteLoss` at the first non-finite loss (or weight), leaving
    /// `state` untouched.
    mutating func runEpoch(_ state: inout TrainingState) throws -> Outcome {
        let epoch = state.epoch
        let learningRate = configuration.schedule.rate(epoch: epoch)
        let guardian = NonFiniteLossGuard(learningRate: learningRate)
        let images = trainer.floats(input: ProgramNames.images)  // (B, H, W, C)
        let labels = trainer.int32s(input: ProgramNames.labels)  // (B)
        // Filled (converted and augmented) on a worker thread, a batch or two ahead of the step.
        let batches = PrefetchedBatches(dataset.trainingEpoch(epoch, batchSize: configuration.batch,
                                                              augmentation: configuration.augmentation),
                                        imageElements: images.count, labelCount: labels.count)
        let bar = EpochProgressBar(epoch: epoch + 1, totalEpochs: configuration.epochs, steps: stepsPerEpoch,
                                   output: output, clock: clock)
        bar.start()
        let trainStart = clock.now()
        let hasDropout = trainer.hasInput(ProgramNames.dropoutSeed)
        var lossSum = 0.0
        var correct = 0.0
        var step = state.step
        for b in 0..<stepsPerEpoch {
            if interrupt?.interrupted == true {
                if output.isTerminal { output.write("\n") }
                return .interrupted
            }
            step += 1
            try batches.fill(batch: b, into: images.baseAddress!, labels: labels.baseAddress!)
            trainer.setScalar(ProgramNames.step, Float(step))
            trainer.setScalar(ProgramNames.learningRate, Float(learningRate))
            if hasDropout {
                trainer.int32s(input: ProgramNames.dropoutSeed)[0] = StepSeeds.dropout(seed: seed, step: step)
            }
            try trainer.run()
            let loss = Double(trainer.scalar(output: ProgramNames.loss))
            if case .stop(let message) = guardian.check(loss: loss, epoch: epoch + 1, step: b + 1, stepsPerEpoch: stepsPerEpoch) {
                if output.isTerminal { output.write("\n") }
                throw TrainingError.nonFiniteLoss(message: message, lastGoodCheckpoint: nil)
            }
            trainer.feedBack()
            lossSum += loss
            correct += Double(trainer.scalar(output: ProgramNames.correct))
            bar.update(step: b + 1, metrics: [("loss", lossSum / Double(b + 1)),
                                              ("accuracy", correct / Double((b + 1) * configuration.batch))])
        }
        let trainSeconds = clock.now() - trainStart

        var next = state
        next.read(from: trainer)
        if let bad = next.firstNonFiniteTensor() {
            if output.isTerminal { output.write("\n") }
            let message = """
                error: training stopped: weight '\(bad)' became NaN or infinite in epoch \(epoch + 1)
                help: lower the learning rate (now \(learningRate); try \(learningRate / 10))
                """
            throw TrainingError.nonFiniteLoss(message: message, lastGoodCheckpoint: nil)
        }
        next.step = step
        next.epoch = epoch + 1

        var validation: ValidationResult?
        if dataset.count(.validation) > 0 {
            copyWeights(from: trainer, to: evaluator)
            validation = try ValidationPass.run(evaluator, dataset: dataset)
            if let v = validation, !v.loss.isFinite {
                // As for the training loss: weights that give a NaN or infinite validation loss
                // are not worth a checkpoint, so the last good one stays the newest.
                if output.isTerminal { output.write("\n") }
                throw TrainingError.nonFiniteLoss(message: guardian.validationMessage(loss: v.loss, epoch: epoch + 1),
                                                  lastGoodCheckpoint: nil)
            }
        }
        let trained = Double(stepsPerEpoch * configuration.batch)
        var shown: [(String, Double)] = [("loss", lossSum / Double(stepsPerEpoch)), ("accuracy", correct / trained)]
        if let v = validation { shown += [("val_loss", v.loss), ("val_accuracy", v.accuracy)] }
        let throughput = trainSeconds > 0 ? trained / trainSeconds : 0
        let modelled = (trainer as? ModelledCostReporting)?.modelledCostTrailer ?? ""
        let seconds = bar.finish(metrics: shown, trailer: String(format: " - lr %.1e - %.1f images/s", learningRate, throughput) + modelled)
        let metrics = EpochMetrics(epoch: epoch + 1, loss: lossSum / Double(stepsPerEpoch), accuracy: correct / trained,
                                   valLoss: validation?.loss, valAccuracy: validation?.accuracy,
                                   imagesPerSecond: throughput,
                                   seconds: seconds, learningRate: learningRate)
        state = next
        return .finished(metrics, validation)
    }
}
