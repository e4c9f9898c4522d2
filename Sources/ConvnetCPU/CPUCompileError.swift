/// Why a program cannot run on the CPU backend.
public struct CPUCompileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
