/// The convolutions of one generated program. Each one is a `ParallelConv` of ConvnetKernels (the
/// CPU target's own code: the two image halves on the two cores, im2col in L2-sized bands),
/// made once in the program's `init` and stored as a property named after its result (`conv18`).
final class ConvRegistry {
    struct Entry {
        var name: String
        var geometry: String
        /// `ParallelConv.Algorithm` as written in Swift (`.winograd`): the plan's decision.
        var algorithm: String
        var filterGradient: Bool
    }

    private(set) var entries: [Entry] = []

    /// Registers a convolution and returns the property name the code calls.
    func add(_ name: String, geometry: String, algorithm: String, filterGradient: Bool) -> String {
        entries.append(Entry(name: name, geometry: geometry, algorithm: algorithm, filterGradient: filterGradient))
        return name
    }
}
