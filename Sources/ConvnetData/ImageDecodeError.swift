/// Why one image file could not be decoded; the loader turns it into a `SkippedFile`.
public struct ImageDecodeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
