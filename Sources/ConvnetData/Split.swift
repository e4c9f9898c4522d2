/// Which part of a dataset an image belongs to.
public enum Split: String, Hashable, Sendable, CustomStringConvertible {
    case training
    case validation

    public var description: String { rawValue }
}
