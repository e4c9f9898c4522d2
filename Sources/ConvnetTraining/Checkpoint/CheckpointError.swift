/// A checkpoint file that is a valid safetensors file but not a usable convnetc checkpoint.
public struct CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file the error is about.
    public let file: String
    /// What is wrong, phrased for the user.
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): not a usable checkpoint: \(message)" }
}
