/// Why a program cannot be emitted, built or run as native Swift.
public struct EmitError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
