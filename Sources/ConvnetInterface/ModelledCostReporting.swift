import Foundation

/// A compiled training step that models the hardware it emulates (the TPU target) and can say
/// what one step would cost there. The epoch loop checks for it with `as?` and appends
/// ` - TPU model: 20.0 ms/step, MXU 10.5%` to the epoch line; other backends print nothing
/// extra, so the loop stays backend-agnostic.
public protocol ModelledCostReporting: AnyObject {
    /// Name of the modelled device for the epoch line (`TPU`).
    var modelledDeviceName: String { get }
    /// Seconds one training step takes at the modelled clock (all cores, with the all-reduce).
    var modelledStepSeconds: Double { get }
    /// Fraction (0...1) of the step's MXU multiply-accumulate slots doing useful work.
    var modelledMXUUtilization: Double { get }
}

extension ModelledCostReporting {
    /// ` - TPU model: 20.0 ms/step, MXU 10.5%`, the epoch line's trailer.
    public var modelledCostTrailer: String {
        let ms = modelledStepSeconds * 1000
        // Small models take microseconds per step on the modelled device: keep 3 significant digits.
        let time = ms >= 1 ? String(format: "%.1f ms", ms) : String(format: "%.1f us", ms * 1000)
        return String(format: " - %@ model: %@/step, MXU %.1f%%", modelledDeviceName, time,
                      modelledMXUUtilization * 100)
    }
}
