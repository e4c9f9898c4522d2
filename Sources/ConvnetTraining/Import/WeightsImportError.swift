/// A weights file that cannot be loaded into the model: unreadable, of no known format, or
/// holding tensors that do not fit (each missing, extra, misshapen or non-finite one listed).
public struct WeightsImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file the error is about.
    public let file: String
    /// What is wrong, phrased for the user; several problems are one per line.
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
