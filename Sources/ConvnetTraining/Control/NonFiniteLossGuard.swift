/// Stops training the moment the loss stops being a number, and says why and what to try.
///
/// A NaN or infinite loss poisons every weight on the next update, so continuing only wastes
/// time; Keras's `TerminateOnNaN` stops the same way. The message is meant to be printed as is.
public struct NonFiniteLossGuard: Sendable {
    /// What to do after a step.
    public enum Verdict: Equatable, Sendable {
        case proceed
        /// Stop now; the message explains what happened and what to try.
        case stop(message: String)
    }

    /// The learning rate in force, quoted in the advice.
    public var learningRate: Double

    public init(learningRate: Double) { self.learningRate = learningRate }

    /// The message for a validation loss that is not a number after epoch `epoch` (1-based).
    public func validationMessage(loss: Double, epoch: Int) -> String {
        let what = loss.isNaN ? "NaN (not a number)" : (loss > 0 ? "+infinity" : "-infinity")
        return "error: training stopped: the validation loss became \(what) after epoch \(epoch)\n"
            + "help: lower the learning rate (now \(learningRate); try \(learningRate / 10)); this epoch's weights "
            + "were not saved, the last checkpoint before it is still valid"
    }

    /// Checks the loss of step `step` (1-based) of `stepsPerEpoch` in 1-based epoch `epoch`.
    public func check(loss: Double, epoch: Int, step: Int, stepsPerEpoch: Int) -> Verdict {
        guard !loss.isFinite else { return .proceed }
        let what = loss.isNaN ? "NaN (not a number)" : (loss > 0 ? "+infinity" : "-infinity")
        let suggested = learningRate / 10
        return .stop(message: """
            error: training stopped: the loss became \(what) at epoch \(epoch), step \(step)/\(stepsPerEpoch)
            help: lower the learning rate (now \(learningRate); try \(suggested)), check that the input \
            pixels are scaled to [0, 1] and that the labels match the number of classes; the last \
            checkpoint before this step is still valid
            """)
    }
}
