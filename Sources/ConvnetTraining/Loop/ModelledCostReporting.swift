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
        String(format: " - %@ model: %.1f ms/step, MXU %.1f%%", modelledDeviceName,
               modelledStepSeconds * 1000, modelledMXUUtilization * 100)
    }
}
