import ConvnetInterface
import Foundation

/// How the learning rate changes from epoch to epoch. Epochs are counted from 0 here (the rate
/// for the first epoch is `rate(epoch: 0)`), the way Keras's `LearningRateScheduler` calls its
/// function.
public enum LearningRateSchedule: Equatable, Sendable, CustomStringConvertible {
    /// The same rate every epoch (the codelab: Adam at 0.001).
    case constant(Double)
    /// Half a cosine wave from `initial` at epoch 0 down to `minimum` at epoch `totalEpochs`:
    /// `minimum + (initial - minimum) * (1 + cos(pi * e / totalEpochs)) / 2`.
    case cosine(initial: Double, totalEpochs: Int, minimum: Double = 0)
    /// `initial * decayRate^e`: e.g. 0.8 shrinks the rate by 20% each epoch.
    case exponential(initial: Double, decayRate: Double)
    /// The codelab's ramp up, sustain and exponential decay (`RampSchedule`).
    case ramp(RampSchedule)

    /// The learning rate for 0-based epoch `epoch`.
    public func rate(epoch: Int) -> Double {
        switch self {
        case let .constant(lr):
            return lr
        case let .cosine(initial, total, minimum):
            guard total > 0 else { return initial }
            let progress = Double(min(max(epoch, 0), total)) / Double(total)
            return minimum + (initial - minimum) * 0.5 * (1 + cos(Double.pi * progress))
        case let .exponential(initial, rate):
            return initial * pow(rate, Double(max(epoch, 0)))
        case let .ramp(ramp):
            return ramp.rate(epoch: max(epoch, 0))
        }
    }

    /// The schedule a command-line name selects: `constant`, `cosine` (down to 0 over
    /// `totalEpochs`) or `exponential` (times `decayRate` per epoch); nil for other names.
    public static func named(_ name: String, initial: Double, totalEpochs: Int,
                             decayRate: Double = 0.9) -> LearningRateSchedule? {
        switch name.lowercased() {
        case "constant": return .constant(initial)
        case "cosine": return .cosine(initial: initial, totalEpochs: totalEpochs)
        case "exponential": return .exponential(initial: initial, decayRate: decayRate)
        default: return nil
        }
    }

    /// The rate at epoch 0.
    public var initialRate: Double { rate(epoch: 0) }

    public var description: String {
        switch self {
        case let .constant(lr): return "constant \(lr)"
        case let .cosine(initial, total, minimum): return "cosine from \(initial) to \(minimum) over \(total) epochs"
        case let .exponential(initial, rate): return "exponential from \(initial), x\(rate) per epoch"
        case let .ramp(r):
            return "ramp from \(r.start) to \(r.max) over \(r.rampup) epochs, \(r.sustain) at the top, then x\(r.decay) per epoch towards \(r.min)"
        }
    }
}
