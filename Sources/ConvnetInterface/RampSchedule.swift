import Foundation

/// The flowers codelab's learning-rate function (`lrfn` of its Xception and pod notebooks), per
/// 0-based epoch as Keras' `LearningRateScheduler` calls it: a linear ramp from `start` to `max`
/// over `rampup` epochs, `max` for `sustain` epochs, then an exponential decay towards `min`:
///
///     epoch < rampup:            (max - start) / rampup * epoch + start
///     epoch < rampup + sustain:  max
///     otherwise:                 (max - min) * decay^(epoch - rampup - sustain) + min
///
/// written in that order of operations, so the rates equal the notebook's in Double. It is the
/// train block's `schedule ramp [start X] [max X] [min X] [rampup N] [sustain N] [decay D]`, each
/// option defaulting to the Xception notebook's; the parser checks start, min >= 0, max > 0,
/// start and min <= max, 0 < decay <= 1, and whole, non-negative epoch counts.
public struct RampSchedule: Hashable, Sendable {
    public var start: Double
    public var max: Double
    public var min: Double
    public var rampup: Int
    public var sustain: Int
    public var decay: Double

    /// The defaults are the Xception notebook's (references.md).
    public init(start: Double = 1e-5, max: Double = 4e-4, min: Double = 1e-5, rampup: Int = 5, sustain: Int = 0,
                decay: Double = 0.8) {
        self.start = start
        self.max = max
        self.min = min
        self.rampup = rampup
        self.sustain = sustain
        self.decay = decay
    }

    public func rate(epoch: Int) -> Double {
        if epoch < rampup {
            return (max - start) / Double(rampup) * Double(epoch) + start
        } else if epoch < rampup + sustain {
            return max
        } else {
            return (max - min) * pow(decay, Double(epoch - rampup - sustain)) + min
        }
    }
}
