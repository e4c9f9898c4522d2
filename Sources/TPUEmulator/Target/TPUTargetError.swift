/// Why the TPU target cannot compile a program: the message, and what to change.
public struct TPUTargetError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The fix, for the `help:` line.
    public var help: String

    public init(_ message: String, help: String) {
        self.message = message
        self.help = help
    }

    public var description: String { message + "\nhelp: " + help }
}
